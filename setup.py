"""The package list, which pyproject.toml cannot give: the states' policies
are kept in the repository's top-level policies/ (where the README, the tests
and whoever writes a state's rules edit them) and installed as the package
`switch_policies`, the hub's policies when no other folder is found
(switch.settings.policy_location). One copy in git, in the wheel and in an
editable install alike."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["switch", "switch.*", "simulators", "simulators.*"]),
        "switch_policies",
    ],
    package_dir={"switch_policies": "policies"},
)

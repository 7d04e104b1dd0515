"""`python -m simulators.mockstate WA --port 9001`: the same command as
`switch sim state`."""

import typer

from switch.cli.sim_state import state

if __name__ == "__main__":
    typer.run(state)

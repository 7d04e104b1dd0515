"""Policy impact: what a rule change would do, and who can get a state's data."""

from switch.impact.diff import (
    Change,
    DiffReport,
    PolicySide,
    StateDiff,
    diff_paths,
    diff_policies,
    load_policies,
)
from switch.impact.diff_render import render_diff
from switch.impact.diff_space import Outcome
from switch.impact.matrix import MatrixColumn, MatrixRow, StateMatrix, state_matrix
from switch.impact.matrix_national import (
    ComponentAccess,
    ComponentGap,
    GapState,
    NationalMatrix,
    national_matrix,
)
from switch.impact.matrix_render import render_national, render_state_matrix

__all__ = [
    "Change",
    "ComponentAccess",
    "ComponentGap",
    "DiffReport",
    "GapState",
    "MatrixColumn",
    "MatrixRow",
    "NationalMatrix",
    "Outcome",
    "PolicySide",
    "StateDiff",
    "StateMatrix",
    "diff_paths",
    "diff_policies",
    "load_policies",
    "national_matrix",
    "render_diff",
    "render_national",
    "render_state_matrix",
    "state_matrix",
]

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
from switch.impact.replay import replay_policies
from switch.impact.replay_input import ReplayError, load_candidates, parse_window
from switch.impact.replay_render import (
    print_replay_table,
    render_replay_csv,
    render_replay_json,
)
from switch.impact.replay_report import ReplayReport, Transition, Unreplayable
from switch.impact.replay_source import count_queries

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
    "ReplayError",
    "ReplayReport",
    "StateDiff",
    "StateMatrix",
    "Transition",
    "Unreplayable",
    "count_queries",
    "diff_paths",
    "diff_policies",
    "load_candidates",
    "load_policies",
    "national_matrix",
    "parse_window",
    "print_replay_table",
    "render_diff",
    "render_national",
    "render_replay_csv",
    "render_replay_json",
    "render_state_matrix",
    "replay_policies",
    "state_matrix",
]

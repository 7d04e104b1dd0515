"""Fault specs: reading them, refusing bad ones, and the seeded draw."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from simulators.mockstate import (
    ErrorFault,
    FaultPlan,
    FaultSpecError,
    JitterFault,
    LatencyFault,
    OutOfServiceFault,
    fault_from,
    load_faults,
    parse_fault,
)
from simulators.mockstate._faults import MAX_DELAY_MS

EXAMPLES = Path(__file__).resolve().parents[2] / "simulators" / "mockstate" / "examples"
FIXTURES = Path(__file__).parent / "fixtures"


def _pattern(plan: FaultPlan, n: int = 40, key: str = "DQ", ori: str = "NY0303000") -> str:
    return "".join("x" if plan.draw(key, ori).action else "." for _ in range(n))


def test_compact_form_reads_type_probability_params_and_scope() -> None:
    error = parse_fault("error@0.1")
    assert isinstance(error, ErrorFault)
    assert (error.probability, error.params.status, error.name) == (0.1, 500, "error")
    jitter = parse_fault("jitter:distribution=normal,ms=300,spread=50,name=slow")
    assert isinstance(jitter, JitterFault)
    assert (jitter.params.distribution, jitter.params.ms, jitter.params.spread) == (
        "normal",
        300.0,
        50.0,
    )
    assert jitter.name == "slow"
    down = parse_fault("out_of_service:keys=dq+KQ,oris=VTICE*")
    assert isinstance(down, OutOfServiceFault)
    assert (down.keys, down.oris) == (("DQ", "KQ"), ("VTICE*",))
    assert parse_fault("reset@0.5:seed=7").seed == 7


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("bogus", "does not match any of the expected tags"),
        ("latency", "latency.params.ms: Field required"),
        ("latency:ms=-1", "latency.params.ms: Input should be greater than or equal to 0"),
        ("latency:ms=fast", "latency.params.ms: Input should be a valid number"),
        ("error@2", "error.probability: Input should be less than or equal to 1"),
        ("error:status=503", "503 is the out_of_service fault"),
        ("error:status=404", "greater than or equal to 500"),
        ("reset:hard=yes", "reset: unknown name 'hard': reset takes no params;"),
        ("error:rate=0.1", "error: unknown name 'rate' (did you mean probability?)"),
        ("out_of_service:keys=XQ", "not query keys: ['XQ']"),
        ("jitter:ms=10,distribution=pareto", "jitter.params.distribution"),
        ("latency:ms", "want NAME=VALUE, got 'ms'"),
    ],
)
def test_bad_specs_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(FaultSpecError, match="invalid fault") as caught:
        parse_fault(text)
    assert reason in str(caught.value)


def test_a_fault_from_a_mapping_takes_its_type_as_default_name() -> None:
    fault = fault_from({"type": "latency", "params": {"ms": 5}})
    assert isinstance(fault, LatencyFault) and fault.name == "latency"
    with pytest.raises(FaultSpecError, match="unknown name 'toxicity'"):
        fault_from({"type": "latency", "params": {"ms": 5}, "toxicity": 1})


@pytest.mark.parametrize(
    ("flat", "nested"),
    [
        ({"type": "latency", "ms": 400}, {"type": "latency", "params": {"ms": 400}}),
        (
            {"type": "jitter", "distribution": "normal", "ms": 300, "spread": 50, "seed": 3},
            {
                "type": "jitter",
                "seed": 3,
                "params": {"distribution": "normal", "ms": 300, "spread": 50},
            },
        ),
        (
            {"type": "error", "probability": 0.1, "status": 502},
            {"type": "error", "probability": 0.1, "params": {"status": 502}},
        ),
        ({"type": "timeout", "seconds": 2}, {"type": "timeout", "params": {"seconds": 2}}),
        (
            {"type": "malformed", "kind": "truncated"},
            {"type": "malformed", "params": {"kind": "truncated"}},
        ),
        ({"type": "latency", "ms": 5, "params": {}}, {"type": "latency", "params": {"ms": 5}}),
    ],
)
def test_params_beside_type_read_as_params(
    flat: dict[str, object], nested: dict[str, object]
) -> None:
    assert fault_from(flat) == fault_from(nested)


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (
            {"type": "error", "rate": 0.1},
            "invalid fault spec: error: unknown name 'rate' (did you mean probability?): "
            "error takes params status; every fault takes name, probability, keys, oris, seed",
        ),
        (
            {"type": "error", "params": {"rate": 0.1}},
            "invalid fault spec: error: unknown name 'rate' (did you mean probability?): "
            "error takes params status; every fault takes name, probability, keys, oris, seed",
        ),
        (
            {"type": "jitter", "ms": 5, "sprad": 2},
            "invalid fault spec: jitter: unknown name 'sprad' (did you mean spread?): "
            "jitter takes params distribution, ms, spread; every fault takes name, probability, "
            "keys, oris, seed",
        ),
        (
            {"type": "latency", "delay": 5},
            "invalid fault spec: latency: unknown name 'delay': latency takes params ms; "
            "every fault takes name, probability, keys, oris, seed",
        ),
        (
            {"type": "error", "params": {"probability": 0.5}},
            "invalid fault spec: error: probability goes beside type, not in params",
        ),
        (
            {"type": "latency", "ms": 5, "params": {"ms": 6}},
            "invalid fault spec: latency: ms given both beside type and in params",
        ),
    ],
)
def test_a_wrong_name_is_refused_with_the_names_it_takes(
    spec: dict[str, object], reason: str
) -> None:
    with pytest.raises(FaultSpecError) as caught:
        fault_from(spec)
    assert str(caught.value) == reason


def test_the_compact_form_takes_probability_by_name() -> None:
    assert parse_fault("error:probability=0.25,status=502") == parse_fault("error@0.25:status=502")


def test_probability_one_always_hits_and_zero_never() -> None:
    always = FaultPlan([fault_from({"type": "error", "probability": 1})])
    never = FaultPlan([fault_from({"type": "error", "probability": 0})])
    assert _pattern(always) == "x" * 40
    assert _pattern(never) == "." * 40


def test_a_seeded_half_is_the_same_on_every_run_and_mixes() -> None:
    spec = {"type": "error", "probability": 0.5, "seed": 42}
    first = _pattern(FaultPlan([fault_from(spec)]))
    again = _pattern(FaultPlan([fault_from(spec)]))
    assert first == again
    assert 10 < first.count("x") < 30
    other = _pattern(FaultPlan([fault_from({**spec, "seed": 43})]))
    assert other != first


def test_without_a_fault_seed_the_service_seed_decides() -> None:
    spec = {"type": "reset", "probability": 0.5}
    assert _pattern(FaultPlan([fault_from(spec)], seed=1)) == _pattern(
        FaultPlan([fault_from(spec)], seed=1)
    )
    assert _pattern(FaultPlan([fault_from(spec)], seed=1)) != _pattern(
        FaultPlan([fault_from(spec)], seed=2)
    )


def test_one_faults_pattern_does_not_depend_on_the_others() -> None:
    spec = {"type": "error", "probability": 0.5, "seed": 3}
    alone = FaultPlan([fault_from(spec)])
    behind = FaultPlan([fault_from({"type": "jitter", "params": {"ms": 5}}), fault_from(spec)])
    assert _pattern(alone) == _pattern(behind)


def test_delays_add_up_and_the_first_deciding_fault_wins() -> None:
    plan = FaultPlan(
        [
            fault_from({"type": "latency", "params": {"ms": 100}}),
            fault_from({"type": "latency", "name": "more", "params": {"ms": 50}}),
            fault_from({"type": "malformed"}),
            fault_from({"type": "error"}),
        ]
    )
    effects = plan.draw("DQ", "NY0303000")
    assert effects.delay_ms == 150
    assert effects.action is not None and effects.action.type == "malformed"
    assert effects.applied == ["latency", "more", "malformed"]


def test_scope_by_message_key_and_requester() -> None:
    plan = FaultPlan([fault_from({"type": "out_of_service", "keys": ["RQ"], "oris": ["VTICE*"]})])
    assert plan.draw("RQ", "VTICE0900").action is not None
    assert plan.draw("DQ", "VTICE0900").action is None
    assert plan.draw("RQ", "NY0303000").action is None


def test_remove_by_name_and_replace() -> None:
    plan = FaultPlan([parse_fault("error:name=a"), parse_fault("reset:name=b")])
    assert plan.remove("a") == 1 and plan.remove("a") == 0
    assert [f.name for f in plan.faults] == ["b"]
    plan.replace([])
    assert plan.faults == [] and plan.draw("DQ", "NY0303000").action is None


@pytest.mark.parametrize(
    ("params", "low", "high"),
    [
        ({"distribution": "uniform", "ms": 100, "spread": 20}, 80, 120),
        ({"distribution": "normal", "ms": 100, "spread": 500}, 0, MAX_DELAY_MS),
        ({"distribution": "exponential", "ms": 100}, 0, MAX_DELAY_MS),
    ],
)
def test_jitter_draws_stay_in_range_and_repeat(
    params: dict[str, object], low: float, high: float
) -> None:
    spec = {"type": "jitter", "params": params, "seed": 9}
    delays = [FaultPlan([fault_from(spec)]).draw("DQ", "X").delay_ms]
    plan = FaultPlan([fault_from(spec)])
    series = [plan.draw("DQ", "X").delay_ms for _ in range(200)]
    assert series[0] == delays[0]
    assert all(low <= d <= high for d in series)
    assert len(set(series)) > 100


def test_normal_jitter_never_goes_negative() -> None:
    params = {"distribution": "normal", "ms": 0, "spread": 50}
    plan = FaultPlan([fault_from({"type": "jitter", "params": params})])
    series = [plan.draw("DQ", "X").delay_ms for _ in range(100)]
    assert min(series) == 0.0 and max(series) > 0.0


def test_the_shipped_faults_example_loads() -> None:
    faults = load_faults(EXAMPLES / "flaky.yaml")
    assert [f.type for f in faults] == ["jitter", "error", "out_of_service"]


def test_a_bad_faults_file_names_the_file_and_the_fault() -> None:
    with pytest.raises(FaultSpecError) as caught:
        load_faults(FIXTURES / "bad-faults.yaml")
    assert "bad-faults.yaml" in str(caught.value)
    assert "[1].error.probability" in str(caught.value)
    with pytest.raises(FaultSpecError, match="No such file"):
        load_faults(FIXTURES / "missing.yaml")


PARAMS = st.sampled_from(
    [
        ("latency", st.fixed_dictionaries({"ms": st.floats(0, MAX_DELAY_MS)})),
        (
            "jitter",
            st.fixed_dictionaries(
                {"ms": st.floats(0, MAX_DELAY_MS)},
                optional={
                    "distribution": st.sampled_from(["uniform", "normal", "exponential"]),
                    "spread": st.floats(0, MAX_DELAY_MS),
                },
            ),
        ),
        (
            "error",
            st.fixed_dictionaries(
                {}, optional={"status": st.integers(500, 599).filter(lambda s: s != 503)}
            ),
        ),
        (
            "timeout",
            st.fixed_dictionaries({}, optional={"seconds": st.floats(0.001, MAX_DELAY_MS / 1000)}),
        ),
        (
            "malformed",
            st.fixed_dictionaries(
                {}, optional={"kind": st.sampled_from(["garbage", "truncated", "wrong_shape"])}
            ),
        ),
    ]
)


@given(data=st.data(), probability=st.floats(0, 1))
def test_any_params_read_the_same_beside_type_or_nested(
    data: st.DataObject, probability: float
) -> None:
    kind, params = data.draw(PARAMS)
    drawn = data.draw(params)
    flat = fault_from({"type": kind, "probability": probability, **drawn})
    assert flat == fault_from({"type": kind, "probability": probability, "params": drawn})


@given(
    kind=st.sampled_from(["latency", "jitter", "error", "timeout", "reset", "malformed"]),
    name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
)
def test_a_name_no_fault_takes_is_refused_by_name(kind: str, name: str) -> None:
    assume(name not in {"type", "params", "name", "probability", "keys", "oris", "seed"})
    assume(name not in {"ms", "distribution", "spread", "status", "seconds", "kind"})
    with pytest.raises(FaultSpecError) as caught:
        fault_from(
            {"type": kind, "params": {"ms": 1} if kind in ("latency", "jitter") else {}, name: 1}
        )
    assert f"{kind}: unknown name {name!r}" in str(caught.value)

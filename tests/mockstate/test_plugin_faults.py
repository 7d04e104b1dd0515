"""The pytest plugin's `mock_state(faults=...)` reads faults as the admin
API does: params may sit beside the type, and a wrong name says the right one."""

from __future__ import annotations

import pytest

from simulators.mockstate import AdminError
from switch.testing import MockStateFactory, SwitchHub

pytest_plugins = ["switch.testing"]


def test_params_beside_type_reach_the_state(
    switch_hub: SwitchHub, mock_state: MockStateFactory
) -> None:
    wa = mock_state("WA", faults=[{"type": "error", "status": 502}])
    assert [(f.type, f.params.model_dump()) for f in wa.faults()] == [("error", {"status": 502})]

    reply = switch_hub.agency("NY0303000").send("DQ.NY0303000.WA.TXTOLN/WDLTEST00001")
    [result] = reply.results
    assert result.status == "fault"
    assert result.response is not None
    assert "STATE FAULT WA: HTTP 502" in result.response.text.splitlines(), result.response.text


def test_a_wrong_name_names_the_right_one(mock_state: MockStateFactory) -> None:
    with pytest.raises(AdminError) as caught:
        mock_state("WA", faults=[{"type": "error", "rate": 0.1}])
    assert caught.value.status == 422
    assert caught.value.message == (
        "invalid fault spec: [0].error: unknown name 'rate' (did you mean probability?): "
        "error takes params status; every fault takes name, probability, keys, oris, seed"
    )

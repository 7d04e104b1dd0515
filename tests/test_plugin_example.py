"""Integration tests against the switch, with its pytest plugin."""

pytest_plugins = ["switch.testing"]  # or: pytest -p switch.testing

JANE = {"OLN": "WDLTEST00001", "NAM": "DOE,JANE", "DOB": "19850214", "SEX": "F"}


def test_ice_is_refused_and_washington_never_sees_it(switch_hub, mock_state):
    wa = mock_state("WA", records=[JANE])

    ice = switch_hub.agency("VTICE0900").send("DQ.VTICE0900.WA.TXTOLN/WDLTEST00001")
    assert [(r.decision, r.rule) for r in ice.results] == [("deny", "wa-no-ice")]
    wa.assert_not_received(ori="VTICE0900")

    police = switch_hub.agency("NY0303000").send("DQ.NY0303000.WA.TXTOLN/WDLTEST00001")
    assert police.results[0].response.fields["NAM"] == "DOE,JANE"
    wa.assert_received(key="DQ", ori="NY0303000", times=1)


def test_a_state_out_of_service(switch_hub, mock_state):
    mock_state("OR", faults=[{"type": "out_of_service"}])

    reply = switch_hub.agency("OR0260100").send("DQ.OR0260100.OR.TXTOLN/1234567")
    assert reply.results[0].status == "out_of_service"
    assert reply.results[0].response.key == "SM"

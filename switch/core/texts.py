"""The texts the switch sends in its own words: Nlets' status texts, word
for word, and what the sender of a refused query reads.

A refusal comes from where the state's policy is enforced (`enforced_at`).
Wherever it is, the DMV's data never leaves it: only who answers, and in
what words, differ.

- nlets: an ER `.02.` from the switch itself;
- state-switch: the query passed Nlets and reached the state's own switch,
  which rejects it as Nlets would, in its own name (its control terminal);
- dmv: the DMV's own answer to the query's key (DR to a DQ, KR to a KQ...),
  with no record and its refusal in its words. Not an ER (only switches
  send those) nor NOT ON FILE (which would say there is no such driver).
"""

from __future__ import annotations

from dataclasses import dataclass

from switch.directory import Directory
from switch.directory.jurisdictions import dmv_ori, state_switch_name
from switch.messages import render
from switch.messages.model import RESPONSE_KEYS, SWITCH_ORI, Message
from switch.policy import Decision

# The words Nlets status texts are made of, and the texts, word for word.
OUT_OF_SERVICE = "USER OUT OF SERVICE FOR MSG TYPE"
DOES_NOT_RESPOND = "USER DOES NOT RESPOND TO MSG TYPE"
FORWARDS = "NLETS WILL FORWARD"
DOES_NOT_FORWARD = "NLETS WILL NOT FORWARD"
WILL_FORWARD = f".02. {OUT_OF_SERVICE}, {FORWARDS}"
WILL_NOT_FORWARD = f".01. {DOES_NOT_RESPOND}, {DOES_NOT_FORWARD}"
REMOVED = f".04. {OUT_OF_SERVICE}, {DOES_NOT_FORWARD}"


@dataclass(frozen=True, slots=True)
class RefusalText:
    key: str
    sender: str
    body: str
    by_dmv: bool  # the DMV's own answer, not an ER


def refusal_text(
    message: Message, state: str, decision: Decision, directory: Directory
) -> RefusalText:
    rule = (
        f"{state} POLICY RULE {decision.rule or '(default)'}: "
        f"{decision.reason or 'no reason given'}"
    )
    if decision.enforced_at == "dmv":
        dmv = directory.get(dmv_ori(state))
        name = dmv.name.upper() if dmv is not None else f"{state} DMV"
        body = (
            f"RECORD NOT RELEASED TO {message.ori}\n"
            f"{name} DOES NOT RELEASE RECORDS TO THIS REQUESTER\n"
            f"UNDER {rule}"
        )
        return RefusalText(RESPONSE_KEYS.get(message.key, "ER"), dmv_ori(state), body, True)
    sender, hop = SWITCH_ORI, ""
    if decision.enforced_at == "state-switch":
        sender = state_switch_ori(directory, state)
        hop = (
            f"REFUSED AT {state} STATE SWITCH {state_switch_name(state)} ({sender}), "
            f"NOT SENT TO {dmv_ori(state)}\n"
        )
    body = f".02. MESSAGE TYPE NOT ALLOWED TO DESTINATION\n{hop}DENIED BY {rule}\n"
    return RefusalText("ER", sender, body + render(message)[:100], False)


def state_switch_ori(directory: Directory, state: str) -> str:
    """The ORI a state's switch answers from: its control terminal's
    (WAWSP0000 for Washington's ACCESS); the switch's own when the
    directory lists none, so a refusal is still sent."""
    try:
        return directory.control_terminal(state).ori
    except KeyError:
        return SWITCH_ORI

"""What the hub asks the court registry of a message's `WRT/`: the level a
policy decides by (`warrant_level`), and the warrant's own facts a watcher's
card shows (`cited_warrant`: its form, its kind, who signed it). Both are
read off the event loop; a registry fault never fails the message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from switch.messages.model import Message
from switch.warrants import Warrant

log = logging.getLogger("switch.core.cited")

# (warrant id, requester ORI, message fields, when) -> registry's verdict.
WarrantAssessor = Callable[[str, str, Mapping[str, str], datetime], str]
# A warrant id -> the registry's entry, or None when it holds none.
WarrantLookup = Callable[[str], Warrant | None]


async def warrant_level(
    assess: WarrantAssessor | None, message: Message, at: datetime
) -> str | None:
    """What the court registry says of the cited WRT/; None when it could
    not be asked, which makes any rule that tests the warrant fail closed."""
    if message.warrant_id is None:
        return "none"
    if assess is None:
        return "cited"
    try:
        return await asyncio.to_thread(assess, message.warrant_id, message.ori, message.fields, at)
    except Exception:  # a registry fault must not decide; the policy fails closed
        log.exception("court registry unavailable for WRT/%s", message.warrant_id)
        return None


def warrant_facts(warrant_id: str, warrant: Warrant | None, level: str | None) -> dict[str, Any]:
    """A cited warrant as a watcher reads it: the registry's entry (form,
    kind, signer) and `level`, what it counted as for this message (`cited`:
    unknown, expired, another's; None: the registry could not be asked)."""
    facts: dict[str, Any] = {"id": warrant_id, "level": level}
    if warrant is not None:
        facts |= {
            "form": warrant.form,
            "kind": warrant.kind,
            "issued_by": warrant.issued_by,
            # Why the kind matters to a policy: a judge's signature, or an officer's.
            "signed_by": "judge" if warrant.kind == "judicial" else "officer",
        }
    return facts


async def cited_warrant(
    lookup: WarrantLookup | None, message: Message | None, level: str | None
) -> dict[str, Any] | None:
    """The facts of the warrant `message` cites; None when it cites none.
    A registry fault leaves the entry out (id and level only)."""
    if message is None or message.warrant_id is None:
        return None
    warrant = None
    if lookup is not None:
        try:
            warrant = await asyncio.to_thread(lookup, message.warrant_id)
        except Exception:  # the live view must not fail a message
            log.warning("court registry unavailable for the live view: WRT/%s", message.warrant_id)
    return warrant_facts(message.warrant_id, warrant, level)

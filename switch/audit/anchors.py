"""Prune anchors signed by the audit key.

A prune's anchor record (outcome `pruned`) says where the chain now starts;
its `detail` JSON carries the audit key's signature over everything else in
it, so the chain's hash covers the signature too and no migration is needed:

    {"action": "prune", ..., "start_pos": 21, "start_hash": "…",
     "pos": 57, "previous_hash": "…", "signed_by": "5c…", "signature": "…"}

`pos` and `previous_hash` are the anchor's own place in the chain: a signed
anchor copied elsewhere does not verify. Someone with the database alone can
delete the chain's first rows and append an anchor saying so, but cannot
sign it: verify refuses an anchor with no signature (`unsigned`) or one
that is not good under a key given (`forged`).
"""

from __future__ import annotations

from typing import Any

from switch.audit.signing import ANCHOR_DOMAIN, AuditKey, PublicKeys

SIGNER = "signed_by"
SIGNATURE = "signature"


def sign(key: AuditKey, detail: dict[str, Any], *, pos: int, previous: str) -> dict[str, Any]:
    """`detail` placed at chain position `pos`, after link `previous`, signed."""
    fields = {**detail, "pos": pos, "previous_hash": previous, SIGNER: key.id}
    return {**fields, SIGNATURE: key.sign(ANCHOR_DOMAIN, fields)}


def problem(
    anchor: dict[str, Any], *, pos: int, previous: str, keys: PublicKeys
) -> tuple[str, str] | None:
    """(problem, detail) when `anchor`, found at `pos` after link `previous`,
    is not an anchor a key in `keys` signed for that place; None when it is."""
    if SIGNATURE not in anchor:
        return "unsigned", "a prune anchor must be signed by an audit key and this one is not"
    fields = {k: v for k, v in anchor.items() if k != SIGNATURE}
    why = keys.problem(ANCHOR_DOMAIN, fields, anchor.get(SIGNER), anchor[SIGNATURE])
    if why:
        return "forged", f"a prune anchor: {why}"
    if (anchor.get("pos"), anchor.get("previous_hash")) != (pos, previous):
        detail = (
            f"a prune anchor signed for chain position {anchor.get('pos')} "
            f"after another link: it was moved here"
        )
        return "forged", detail
    return None

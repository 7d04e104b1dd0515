"""The reply to POST /v1/messages in XML: what the JSON reply says, as an
`sr:SwitchReply` holding each destination's answer as an Nlets XML message.

    <sr:SwitchReply id="..." key="DQ" ori="NY0303000" httpStatus="200">
      <sr:Result destination="WA" decision="permit" rule="..." status="answered" ...>
        <n2:NLETS n2:version="4.00" ...>the DR</n2:NLETS>
      </sr:Result>
    </sr:SwitchReply>

    <sr:SwitchReply id="..." httpStatus="422">
      <sr:Error code=".03." message="..."><n2:NLETS ...>the ER</n2:NLETS></sr:Error>
    </sr:SwitchReply>

The switch's own design, not Nlets' (Nlets answers each message with
messages; an HTTP reply needs one document): switch/messages/xsd/
switch-reply.xsd. `reply_from_xml(reply_to_xml(body, ...))` is `body` for
every reply the hub makes, its ER text included, so a client reads both
forms into the same `Reply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

from switch.messages.model import SWITCH_ORI, OutputMessage
from switch.messages.output import output_json, parse_output, render_output
from switch.messages.xmldoc import SR, escape_attr, escape_text, local, quote_of, read
from switch.messages.xmlform import output_from_element, output_to_xml

ENTRY = "switch-reply.xsd"
ROOT = f"{{{SR}}}SwitchReply"
# SummaryPublic's groups, in its order, and their elements.
_SUMMARY = {
    "hit": "HitStateCode",
    "no_hit": "NoHitStateCode",
    "no_response": "NoResponseStateCode",
    "denied": "DeniedStateCode",
}
_SUMMARY_KEYS = {element: key for key, element in _SUMMARY.items()}
# Result attributes: (JSON member, XML attribute).
_RESULT_ATTRS = (
    ("destination", "destination"),
    ("decision", "decision"),
    ("rule", "rule"),
    ("reason", "reason"),
    ("policy_version", "policyVersion"),
    ("status", "status"),
)


def _attrs(pairs: list[tuple[str, Any]]) -> str:
    return "".join(
        f' {name}="{escape_attr(str(value))}"' for name, value in pairs if value is not None
    )


def reply_to_xml(
    body: Mapping[str, Any],
    *,
    http_status: int,
    to: str | None,
    when: datetime,
    number: int = 0,
) -> str:
    """The XML of a reply `body` (the JSON reply's shape); an ER in it is
    addressed `to` the sender, stamped `when` with output `number`."""
    head = [("id", body.get("id", "")), ("key", body.get("key")), ("ori", body.get("ori"))]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<sr:SwitchReply xmlns:sr="{SR}"{_attrs([*head, ("httpStatus", http_status)])}>',
    ]
    lines.extend(_result(result) for result in body.get("results") or ())
    summary = body.get("summary")
    if summary is not None:
        groups = "".join(
            f"<sr:{element}>{escape_text(state)}</sr:{element}>"
            for key, element in _SUMMARY.items()
            for state in summary.get(key, ())
        )
        lines.append(f"<sr:Summary>{groups}</sr:Summary>")
    error = body.get("error")
    if error is not None:
        lines.append(_error(error, to, when, number))
    lines.append("</sr:SwitchReply>")
    return "\n".join(lines)


def _result(result: Mapping[str, Any]) -> str:
    pairs = [(attr, result.get(member)) for member, attr in _RESULT_ATTRS]
    latency = result.get("latency_ms")
    pairs.append(("latencyMs", None if latency is None else repr(float(latency))))
    inner = [
        f"<sr:RedactedText>{escape_text(f)}</sr:RedactedText>" for f in result.get("redacted", ())
    ]
    inner += [
        f"<sr:ObligationText>{escape_text(o)}</sr:ObligationText>"
        for o in result.get("obligations", ())
    ]
    response = result.get("response")
    if response is not None:
        inner.append(output_to_xml(response_output(response), declaration=False))
    return f"<sr:Result{_attrs(pairs)}>" + "\n".join(inner) + "</sr:Result>"


def response_output(response: Mapping[str, Any]) -> OutputMessage:
    """The output message a reply's `response` ({key, text, fields, records?}) stands for."""
    out = parse_output(response["text"])
    records = response.get("records")
    if records is None:
        records = [response["fields"]] if response.get("fields") else []
    if not records:
        return out
    # The note is what the text holds after the records, however they read.
    bare = render_output(replace(out, records=tuple(records), body=""))
    text = response["text"]
    note = text[len(bare) + 2 :] if text.startswith(bare + "\n\n") else ""
    return replace(out, records=tuple(records), body=note)


def _error(error: Mapping[str, Any], to: str | None, when: datetime, number: int) -> str:
    pairs = [("code", error.get("code", "")), ("message", error.get("message", ""))]
    er_text = error.get("er_text")
    inner = ""
    if er_text is not None:
        er = OutputMessage(
            key="ER",
            to=to or SWITCH_ORI,
            sender=SWITCH_ORI,
            body=er_text,
            timestamp=when,
            output_number=number,
        )
        inner = output_to_xml(er, declaration=False)
    return f"<sr:Error{_attrs(pairs)}>{inner}</sr:Error>"


def reply_from_xml(data: bytes | str) -> dict[str, Any]:
    """A reply's XML read back into the JSON reply's shape."""
    root = read(data, ENTRY, ROOT)
    quote = quote_of(data)
    body: dict[str, Any] = {"id": root.get("id", "")}
    for name in ("key", "ori"):
        if root.get(name) is not None:
            body[name] = root.get(name)
    results: list[dict[str, Any]] = []
    for child in root:
        name = local(child.tag)
        if name == "Result":
            results.append(_read_result(child, quote))
        elif name == "Summary":
            summary: dict[str, list[str]] = {key: [] for key in _SUMMARY}
            for state in child:
                summary[_SUMMARY_KEYS[local(state.tag)]].append(state.text or "")
            body["summary"] = summary
        elif name == "Error":
            body["error"] = _read_error(child, quote)
    if "error" not in body:
        body["results"] = results
    return body


def _read_result(element: Element, quote: str) -> dict[str, Any]:
    result: dict[str, Any] = {member: element.get(attr) for member, attr in _RESULT_ATTRS}
    latency = element.get("latencyMs")
    result["latency_ms"] = None if latency is None else float(latency)
    result["response"] = None
    redacted: list[str] = []
    obligations: list[str] = []
    for child in element:
        name = local(child.tag)
        if name == "RedactedText":
            redacted.append(child.text or "")
        elif name == "ObligationText":
            obligations.append(child.text or "")
        else:
            result["response"] = output_json(output_from_element(child, quote))
    if redacted:
        result["redacted"] = redacted
    if obligations:
        result["obligations"] = obligations
    return result


def _read_error(element: Element, quote: str) -> dict[str, Any]:
    error: dict[str, Any] = {"code": element.get("code", ""), "message": element.get("message", "")}
    for child in element:
        error["er_text"] = output_from_element(child, quote).body
    return error


__all__ = ["ROOT", "reply_from_xml", "reply_to_xml", "response_output"]

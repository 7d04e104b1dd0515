"""The Nlets XML 4.00 form of input and output messages, beside the legacy text.

    <n2:NLETS n2:version="4.00" xmlns:n2=... xmlns:hdr=... xmlns:nc=... xmlns:sx=...>
      <n2:NLETSMessageHeader>
        <hdr:MessageKeyCodeText>DQ</hdr:MessageKeyCodeText>
        <hdr:OriginatingORIID>NY0303000</hdr:OriginatingORIID>
        <hdr:DestinationORIID>WA</hdr:DestinationORIID>
        <hdr:DocumentControlFieldText><![CDATA[K7F2]]></hdr:DocumentControlFieldText>
      </n2:NLETSMessageHeader>
      <n2:NLETSInquiryData>
        <sx:PersonNameText>DOE,JOHN</sx:PersonNameText> ...
      </n2:NLETSInquiryData>
    </n2:NLETS>

From the Nlets user guide: the root, the namespaces, the header's elements
(an output's received and sent date and time as mm/dd/yyyy and hh:mm, its
input and output numbers in five digits) and the three bodies, an ER's
text in n2:ResponseText. The switch's own design, not Nlets': the header
elements' namespace and order, and how query fields and answer records sit
in the bodies (one NIEM-style element per field, in the `sx` namespace;
see switch/messages/xsd/switch-ext.xsd).

A message read from XML is checked by the same code as one read from text
(switch.messages.validate), so a mistake gets the same ER code in either
form; the XSD checks the document's shape first. Every reading function
raises nothing but a `switch.errors.MessageError` subclass.

INVARIANT: from_xml(to_xml(m), ...) == m for every valid message m, and
parse_output_xml(output_to_xml(out)) == out under the conditions of
parse_output (timestamp to the minute, numbers modulo 100000, empty
records left out), with characters XML cannot carry replaced by U+FFFD.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType
from xml.etree.ElementTree import Element

from switch.errors import InvalidFormat, InvalidHeader, MalformedXML
from switch.messages.fields import FREE_TEXT
from switch.messages.header import check_control, check_destinations, check_key, check_ori, is_ori
from switch.messages.model import RESPONSE_KEYS, Message, OutputMessage
from switch.messages.output import render_output
from switch.messages.text import render
from switch.messages.validate import validate
from switch.messages.xmldoc import (
    HDR,
    N2,
    NC,
    SX,
    VERSION,
    cdata,
    escape_attr,
    escape_text,
    local,
    quote_of,
    read,
)

ENTRY = "nlets.xsd"
ROOT = f"{{{N2}}}NLETS"
CONTENT_TYPE = "application/xml"
_NAMESPACES = f'xmlns:n2="{N2}" xmlns:hdr="{HDR}" xmlns:nc="{NC}" xmlns:sx="{SX}"'
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NUMBERS = 100_000
_RESPONSES = frozenset(RESPONSE_KEYS.values())

# Legacy prefix -> its element in NLETSInquiryData. A prefix not here is
# carried as <sx:InquiryField prefix="...">, and refused as the text would be.
FIELD_ELEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "OLN": "DriverLicenseID",
        "NAM": "PersonNameText",
        "DOB": "PersonBirthDateText",
        "SEX": "PersonSexCode",
        "IMQ": "ImageRequestedIndicatorCode",
        "RSN": "InquiryReasonCode",
        "LIC": "VehicleLicensePlateID",
        "LIY": "VehicleLicensePlateYearText",
        "LIT": "VehicleLicensePlateTypeCode",
        "VIN": "VehicleIdentificationID",
        "WRT": "CourtOrderID",
    }
)
_FIELD_PREFIXES = {f"{{{SX}}}{name}": prefix for prefix, name in FIELD_ELEMENTS.items()}
_GENERIC_FIELD = f"{{{SX}}}InquiryField"


def _root(header: list[str], body: str) -> str:
    lines = [f'<n2:NLETS n2:version="{VERSION}" {_NAMESPACES}>', "<n2:NLETSMessageHeader>"]
    lines.extend(header)
    lines.append("</n2:NLETSMessageHeader>")
    if body:
        lines.append(body)
    lines.append("</n2:NLETS>")
    return "\n".join(lines)


def _wrap(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>"


def _hdr(name: str, value: str) -> str:
    return f"<hdr:{name}>{escape_text(value)}</hdr:{name}>"


def _date(when: datetime) -> str:
    # Not strftime: %Y does not zero-pad years before 1000 on every platform.
    return f"{when.month:02d}/{when.day:02d}/{when.year:04d}"


def _time(when: datetime) -> str:
    return f"{when.hour:02d}:{when.minute:02d}"


def to_xml(message: Message, *, sent: datetime | None = None) -> str:
    """The Nlets XML document of an input message; `sent` stamps it."""
    header = [_hdr("MessageKeyCodeText", message.sent_key), _hdr("OriginatingORIID", message.ori)]
    header.extend(_hdr("DestinationORIID", d) for d in message.destinations)
    if message.control is not None:
        header.append(
            f"<hdr:DocumentControlFieldText>{cdata(message.control)}</hdr:DocumentControlFieldText>"
        )
    if sent is not None:
        header.append(_hdr("MessageSendDate", _date(sent)))
        header.append(_hdr("MessageSendTime", _time(sent)))
    if message.key == "AM":
        text = escape_text(message.fields.get(FREE_TEXT, ""))
        body = f"<n2:NLETSMailData><sx:MailText>{text}</sx:MailText></n2:NLETSMailData>"
    else:
        items = [_field(prefix, value) for prefix, value in message.fields.items()]
        body = "<n2:NLETSInquiryData>" + "".join(items) + "</n2:NLETSInquiryData>"
    return _DECLARATION + _root(header, body)


def _field(prefix: str, value: str) -> str:
    name = FIELD_ELEMENTS.get(prefix)
    if name is None:
        attr = escape_attr(prefix)
        return f'<sx:InquiryField prefix="{attr}">{escape_text(value)}</sx:InquiryField>'
    return f"<sx:{name}>{escape_text(value)}</sx:{name}>"


def output_to_xml(out: OutputMessage, *, declaration: bool = True) -> str:
    """The Nlets XML document of an output message (an answer, ER, SM or AM);
    `declaration=False` for one nested in another document."""
    header = [
        _hdr("MessageKeyCodeText", out.key),
        _hdr("OriginatingORIID", out.sender),
        _hdr("DestinationORIID", out.to),
    ]
    if out.control is not None:
        header.append(
            f"<hdr:DocumentControlFieldText>{cdata(out.control)}</hdr:DocumentControlFieldText>"
        )
    # The text form too has one time for the input's receipt and the output.
    date, time = _date(out.timestamp), _time(out.timestamp)
    header += [
        _hdr("MessageReceiveDate", date),
        _hdr("MessageReceiveTime", time),
        _hdr("MessageSendDate", date),
        _hdr("MessageSendTime", time),
        _hdr("ReceiveMessageNumeric", f"{out.input_number % _NUMBERS:05d}"),
        _hdr("SendMessageNumeric", f"{out.output_number % _NUMBERS:05d}"),
    ]
    document = _root(header, _output_body(out))
    return _DECLARATION + document if declaration else document


def _output_body(out: OutputMessage) -> str:
    if out.key == "AM":
        return _wrap("n2:NLETSMailData", _wrap("sx:MailText", escape_text(out.body)))
    if out.key not in _RESPONSES:
        if out.records:
            raise ValueError(f"{out.key} carries no records")
        return _wrap("n2:NLETSResponseData", _wrap("n2:ResponseText", escape_text(out.body)))
    # The legacy text of the body, as Nlets carries it, then the same structured.
    text = render_output(out).split("\nTXT\n", 1)[1]
    parts = [f"<n2:ResponseText>{escape_text(text)}</n2:ResponseText>"]
    for record in out.records:
        if record:
            fields = "".join(
                f'<sx:AnswerField prefix="{escape_attr(p)}">{escape_text(v)}</sx:AnswerField>'
                for p, v in record.items()
            )
            parts.append(f"<sx:AnswerRecord>{fields}</sx:AnswerRecord>")
    if out.body:
        parts.append(f"<sx:ResponseNoteText>{escape_text(out.body)}</sx:ResponseNoteText>")
    return "<n2:NLETSResponseData>" + "".join(parts) + "</n2:NLETSResponseData>"


class _Header:
    """An NLETSMessageHeader's values, read once."""

    def __init__(self, element: Element) -> None:
        self.values: dict[str, str] = {}
        self.destinations: list[str] = []
        for child in element:
            name, text = local(child.tag), child.text or ""
            if name == "DestinationORIID":
                self.destinations.append(text)
            else:
                self.values[name] = text

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def _parts(root: Element) -> tuple[_Header, Element | None]:
    # The schema holds the header first and at most one body after it.
    children = list(root)
    return _Header(children[0]), children[1] if len(children) > 1 else None


def from_xml(data: bytes | str) -> Message:
    """Read and fully validate one input message in Nlets XML."""
    root = read(data, ENTRY, ROOT)
    header, body = _parts(root)
    key = (header.get("MessageKeyCodeText") or "").strip()
    ori = header.get("OriginatingORIID") or ""
    destinations = tuple(header.destinations)
    control = header.get("DocumentControlFieldText")
    expected = "NLETSMailData" if key == "AM" else "NLETSInquiryData"
    fields: dict[str, str] = {}
    twice: str | None = None
    if body is not None and local(body.tag) == expected == "NLETSMailData":
        text = next((child.text or "" for child in body), "")
        # As the text form stores it: LF line breaks, no blanks around.
        fields = {FREE_TEXT: text.replace("\r\n", "\n").strip()}
    elif body is not None and local(body.tag) == expected:
        fields, twice = _inquiry_fields(body)
    # Checked in the text's reading order, quoting the text form, so that
    # a mistake gets the same ER, word for word, in either form.
    quote = render(Message(key, ori, destinations, fields, control))
    check_key(key, quote)
    check_ori(ori, quote)
    check_destinations(destinations, quote)
    check_control(control, quote)
    if body is None:
        raise MalformedXML(f"no {expected} after the header", quote)
    if local(body.tag) != expected:
        raise InvalidFormat(f"{key} carries {expected}, not {local(body.tag)}", quote)
    if twice is not None:
        raise InvalidFormat(f"field {twice[:10]} given twice", quote)
    return validate(Message(key, ori, destinations, fields, control))


def _inquiry_fields(body: Element) -> tuple[dict[str, str], str | None]:
    """The fields in document order, and the first prefix given twice."""
    fields: dict[str, str] = {}
    twice: str | None = None
    for child in body:
        prefix = _FIELD_PREFIXES.get(child.tag)
        if prefix is None:  # the schema allows only sx:InquiryField besides
            prefix = child.get("prefix", "")
        if prefix in fields:
            twice = twice or prefix
            continue
        fields[prefix] = child.text or ""
    return fields, twice


def parse_output_xml(data: bytes | str, tzinfo: tzinfo | None = None) -> OutputMessage:
    """Read an output message in Nlets XML; the timestamp is naive unless
    `tzinfo` is given."""
    return output_from_element(read(data, ENTRY, ROOT), quote_of(data), tzinfo)


def output_from_element(root: Element, quote: str, tzinfo: tzinfo | None = None) -> OutputMessage:
    """An output message from a schema-valid NLETS element (one nested in a reply)."""
    header, body = _parts(root)
    key = (header.get("MessageKeyCodeText") or "").strip()
    if key not in _RESPONSES | {"ER", "SM", "AM"}:
        raise InvalidHeader(f"{key} is not an output message key", quote)
    sender = header.get("OriginatingORIID") or ""
    if not is_ori(sender) or len(header.destinations) != 1 or not is_ori(header.destinations[0]):
        raise InvalidHeader("an output message has a sender ORI and one destination ORI", quote)
    timestamp = _timestamp(header, quote, tzinfo)
    numbers = header.get("ReceiveMessageNumeric"), header.get("SendMessageNumeric")
    if numbers[0] is None or numbers[1] is None:
        raise InvalidHeader("an output message carries its input and output numbers", quote)
    control = header.get("DocumentControlFieldText")
    if control is not None and not control:
        raise InvalidHeader("empty control field", quote)
    expected = "NLETSMailData" if key == "AM" else "NLETSResponseData"
    if body is None:
        raise MalformedXML(f"no {expected} after the header", quote)
    if local(body.tag) != expected:
        raise InvalidFormat(f"{key} carries {expected}, not {local(body.tag)}", quote)
    records: list[dict[str, str]] = []
    text = ""
    for child in body:
        name = local(child.tag)
        if name == "AnswerRecord":
            records.append({f.get("prefix", ""): f.text or "" for f in child})
        elif name == "ResponseText" and key in _RESPONSES:
            continue  # the records and the note say it again, structured
        else:  # ResponseNoteText, an ER's or SM's ResponseText, an AM's MailText
            text = child.text or ""
    return OutputMessage(
        key=key,
        to=header.destinations[0],
        sender=sender,
        body=text,
        timestamp=timestamp,
        input_number=int(numbers[0]),
        output_number=int(numbers[1]),
        control=control,
        records=tuple(records),
    )


def _timestamp(header: _Header, quote: str, tzinfo: tzinfo | None) -> datetime:
    date = header.get("MessageSendDate") or header.get("MessageReceiveDate")
    time = header.get("MessageSendTime") or header.get("MessageReceiveTime")
    if date is None or time is None:
        raise InvalidHeader("an output message carries its date and time", quote)
    month, day, year = (int(part) for part in date.split("/"))
    hour, minute = (int(part) for part in time.split(":"))
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tzinfo)
    except ValueError:
        raise InvalidHeader("no such time or date", quote) from None


__all__ = [
    "CONTENT_TYPE",
    "FIELD_ELEMENTS",
    "from_xml",
    "output_from_element",
    "output_to_xml",
    "parse_output_xml",
    "to_xml",
]

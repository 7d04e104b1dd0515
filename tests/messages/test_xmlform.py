"""The Nlets XML form: round trips with the text and JSON forms, every
rendered document valid against the shipped XSD, and whatever is fed to
the readers raises nothing but the codec's error."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switch.errors import MalformedXML, MessageError
from switch.messages import (
    Message,
    OutputMessage,
    from_json,
    from_xml,
    output_to_xml,
    parse,
    parse_output_xml,
    render,
    to_json,
    to_xml,
)
from switch.messages.xmldoc import MAX_DEPTH, check_schema, legal, parse_element
from switch.messages.xmlform import FIELD_ELEMENTS
from switch.messages.xmlreply import reply_from_xml
from tests.messages.strategies import messages, output_messages

MALFORMED = ".03. TXT NOT FOUND OR IMPROPERLY FORMED XML"
SOME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(document: str, entry: str = "nlets.xsd") -> None:
    check_schema(parse_element(document), entry, "")


@SOME
@given(messages())
def test_text_to_xml_to_text(message: Message) -> None:
    text = render(message)
    document = to_xml(parse(text))
    _valid(document)
    assert render(from_xml(document)) == text


@SOME
@given(messages())
def test_json_to_xml_to_json(message: Message) -> None:
    data = to_json(message)
    document = to_xml(from_json(data, message.ori))
    _valid(document)
    assert to_json(from_xml(document)) == data
    assert from_xml(document.encode()) == message


@SOME
@given(messages(), st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31)))
def test_a_sent_stamp_is_carried_and_ignored_on_reading(message: Message, sent: datetime) -> None:
    document = to_xml(message, sent=sent)
    _valid(document)
    assert f"<hdr:MessageSendDate>{sent:%m/%d}/{sent.year:04d}<" in document
    assert from_xml(document) == message


def _as_xml_keeps(out: OutputMessage) -> OutputMessage:
    """`out` as XML carries it: empty records left out, what XML 1.0 cannot
    hold replaced."""
    records = tuple(
        {legal(k): legal(v) for k, v in record.items()} for record in out.records if record
    )
    return replace(out, body=legal(out.body), records=records)


@SOME
@given(output_messages())
def test_output_to_xml_and_back(out: OutputMessage) -> None:
    document = output_to_xml(out)
    _valid(document)
    assert parse_output_xml(document) == _as_xml_keeps(out)


def test_every_inquiry_element_is_in_the_schema() -> None:
    fields = {"OLN": "1", **{prefix: "1" for prefix in FIELD_ELEMENTS}}
    for prefix in FIELD_ELEMENTS:
        _valid(to_xml(Message("DQ", "NY0303000", ("WA",), {prefix: fields[prefix]})))


def test_an_unknown_prefix_is_carried_and_refused_as_in_text() -> None:
    message = Message("DQ", "NY0303000", ("WA",), {"OLN": "1", "ZZZ": "2"})
    document = to_xml(message)
    assert '<sx:InquiryField prefix="ZZZ">2</sx:InquiryField>' in document
    with pytest.raises(MessageError) as as_xml:
        from_xml(document)
    with pytest.raises(MessageError) as as_text:
        parse(render(message))
    assert as_xml.value.er_text == as_text.value.er_text


def test_control_field_is_cdata() -> None:
    document = to_xml(parse("DQ.NY0303000.WA.*K7F2.TXTOLN/1"))
    assert "<hdr:DocumentControlFieldText><![CDATA[K7F2]]></hdr:DocumentControlFieldText>" in (
        document
    )


def test_a_field_given_twice_is_refused_as_in_text() -> None:
    document = to_xml(parse("DQ.NY0303000.WA.TXTOLN/1")).replace(
        "<sx:DriverLicenseID>1</sx:DriverLicenseID>",
        "<sx:DriverLicenseID>1</sx:DriverLicenseID><sx:DriverLicenseID>2</sx:DriverLicenseID>",
    )
    with pytest.raises(MessageError) as refused:
        from_xml(document)
    assert refused.value.code == ".22."
    assert "GIVEN TWICE" in refused.value.er_text


def test_a_message_with_no_body_is_txt_not_found() -> None:
    document = to_xml(parse("DQ.NY0303000.WA.TXTOLN/1"))
    start = document.index("<n2:NLETSInquiryData>")
    end = document.index("</n2:NLETSInquiryData>") + len("</n2:NLETSInquiryData>")
    with pytest.raises(MalformedXML) as refused:
        from_xml(document[:start] + document[end:])
    assert refused.value.er_text.startswith(MALFORMED)


def test_an_output_key_from_an_agency_is_02() -> None:
    document = to_xml(parse("DQ.NY0303000.WA.TXTOLN/1")).replace(">DQ<", ">DR<")
    with pytest.raises(MessageError) as refused:
        from_xml(document)
    assert refused.value.code == ".02."


HOSTILE = [
    '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
    '<!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><a>&b;</a>',
    '<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]><a/>',
    "<a>" * 5000 + "</a>" * 5000,
    "<a>" * (MAX_DEPTH + 1) + "</a>" * (MAX_DEPTH + 1),
    "<a><b></a>",
    "",
    "   ",
]


@pytest.mark.parametrize("document", HOSTILE)
def test_hostile_xml_is_03(document: str) -> None:
    for read in (from_xml, parse_output_xml, reply_from_xml):
        with pytest.raises(MessageError) as refused:
            read(document)
        assert refused.value.code in (".03.", ".22."), refused.value.er_text
    with pytest.raises(MalformedXML) as refused:
        from_xml(document)
    assert refused.value.er_text.startswith(MALFORMED)
    assert refused.value.http_status == 422


def test_an_encoding_declaration_does_not_change_the_reading() -> None:
    # The switch reads UTF-8 whatever the declaration says; this one is
    # well formed as UTF-8, so it is read (and refused by the schema).
    with pytest.raises(MessageError) as refused:
        from_xml("<?xml version='1.0' encoding='EBCDIC-US'?><a/>")
    assert refused.value.code == ".22."


READERS = [from_xml, parse_output_xml, reply_from_xml]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(READERS), st.binary(max_size=300) | st.text(max_size=300))
def test_any_input_raises_only_the_codec_error(read: object, data: bytes | str) -> None:
    try:
        read(data)  # type: ignore[operator]
    except MessageError as err:
        err.er_text.encode("utf-8")  # an ER an audit row and a reply can hold


def _documents() -> st.SearchStrategy[str]:
    replies = st.just(
        '<sr:SwitchReply xmlns:sr="urn:switch:reply:1.0" id="1"><sr:Result destination="WA"'
        ' decision="permit" status="answered"/></sr:SwitchReply>'
    )
    return st.one_of(messages().map(to_xml), output_messages().map(output_to_xml), replies)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(READERS), _documents(), st.data())
def test_damaged_documents_raise_only_the_codec_error(
    read: object, document: str, data: st.DataObject
) -> None:
    """A valid document cut, spliced or with a character changed: the
    readers get past well-formedness far more often than with noise."""
    at = data.draw(st.integers(0, len(document)))
    cut = data.draw(st.integers(at, min(len(document), at + 40)))
    insert = data.draw(
        st.text(max_size=20) | st.sampled_from(["<", "&", "]]>", "<a>", '"', "\x00"])
    )
    damaged = document[:at] + insert + document[cut:]
    try:
        read(damaged)  # type: ignore[operator]
    except MessageError as err:
        err.er_text.encode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "DQG.NY0303000.RA.TXTNAM/MARTIN,CESAR.DOB/19951003.SEX/M",
        "RQG.NY0303000.RB.TXTLIC/ABC123.LIY/2024.LIT/PC",
    ],
)
def test_a_regional_query_keeps_its_g_form_in_xml(text: str) -> None:
    message = parse(text)
    document = to_xml(message)
    _valid(document)
    assert f">{message.sent_key}<" in document
    back = from_xml(document)
    assert back.regional and back == message
    assert render(back) == text

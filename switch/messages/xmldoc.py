"""Reading and writing the switch's XML documents safely.

Reading: bytes in, a validated ElementTree element out, or `MalformedXML`
(ER `.03.`) or a schema error (`.01.`/`.22.`). Before any XML is parsed
the size is bounded; defusedxml refuses any DTD (so no entity is ever
declared, expanded or fetched: billion laughs, external entities); the
tree builder stops past `MAX_DEPTH`. The schema is the XSD shipped in
`switch/messages/xsd`, built once per process and never told to follow an
instance's `xsi:schemaLocation`.

Writing: text and attribute values escaped, characters XML 1.0 cannot
hold (controls, lone surrogates) replaced by U+FFFD, CDATA where the
Nlets guide asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from switch.errors import InvalidFormat, InvalidHeader, MalformedXML, MessageError

if TYPE_CHECKING:
    import xmlschema

N2 = "http://www.nlets.org/niem/1.0"
HDR = "http://www.nlets.org/niem/nlets-hdr/1.0"
NC = "http://niem.gov/niem/niem-core/2.0"
SX = "urn:switch:niem:extension:1.0"
SR = "urn:switch:reply:1.0"
VERSION = "4.00"

# A reply to an NL query holds an answer from every state: far more than any
# input (the hub's own limit, 8 KiB by default, applies to those first).
MAX_BYTES = 4 * 1024 * 1024
# The deepest document the switch writes is 7 levels (reply, result, NLETS,
# body, record, field); anything much deeper is not one of them.
MAX_DEPTH = 32

_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def legal(text: str) -> str:
    """`text` with what XML 1.0 cannot carry replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text) if _ILLEGAL.search(text) else text


def escape_text(text: str) -> str:
    return legal(text).translate(_TEXT_ESCAPES)


def escape_attr(text: str) -> str:
    return legal(text).translate(_ATTR_ESCAPES)


def cdata(text: str) -> str:
    """`text` as CDATA; escaped text where CDATA would change it (a CR
    becomes LF in any XML parser, and CDATA has no escape for one)."""
    text = legal(text)
    if "\r" in text:
        return escape_text(text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class _TooDeep(Exception):
    pass


class _BoundedBuilder(TreeBuilder):
    """A tree builder that stops a document nested past MAX_DEPTH: the
    schema validator walks the tree recursively."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return super().end(tag)


def quote_of(data: bytes | str) -> str:
    """What an ER quotes of an XML input: its start, as text."""
    text = data[:400] if isinstance(data, str) else data[:400].decode("utf-8", "replace")
    # legal(): no NUL or half character reaches an audit row or a reply.
    return legal(" ".join(text.split()))[:100]


def parse_element(data: bytes | str) -> Element:
    """The root of a well-formed, bounded document without DTD, or MalformedXML."""
    quote = quote_of(data)
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise MalformedXML(f"XML over {MAX_BYTES} bytes", quote)
    # The switch reads UTF-8 only: the parser is told so, whatever the
    # document's declaration says.
    parser = DefusedXMLParser(
        target=_BoundedBuilder(),
        encoding="utf-8",
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        parser.feed(raw)
        root: Element = parser.close()
    except _TooDeep:
        raise MalformedXML(f"XML nested deeper than {MAX_DEPTH} elements", quote) from None
    except DefusedXmlException as exc:
        # DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden...
        raise MalformedXML(
            f"XML with a DTD or entities is refused ({type(exc).__name__})", quote
        ) from None
    except (ParseError, ValueError, LookupError, RecursionError) as exc:
        raise MalformedXML(f"improperly formed XML: {_first_line(exc)}", quote) from None
    return root


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:80]


@cache
def schema(entry: str) -> xmlschema.XMLSchema:
    """The shipped XSD rooted at `entry` (`nlets.xsd`, `switch-reply.xsd`),
    built once: building takes tens of milliseconds, validating far less."""
    # Imported here, not at the top: xmlschema takes a tenth of a second to
    # import, which every CLI verb would pay; only a process reading XML does.
    import xmlschema

    folder = files("switch.messages") / "xsd"
    return xmlschema.XMLSchema(str(folder / entry))


def check_schema(root: Element, entry: str, quote: str) -> None:
    """Raise the ER for the first way `root` breaks the schema.

    A schema error in the header is `.01.` INVALID HEADER, as a header
    mistake is in the text; anywhere else it is `.22.` INVALID MESSAGE
    FORMAT: the XML is well formed (so not `.03.`) but is not a message
    of the shape the switch takes."""
    for error in schema(entry).iter_errors(root, use_location_hints=False):
        path = error.path or ""
        reason = _prefixes(" ".join((error.reason or "does not match the schema").split()))[:120]
        detail = f"XML not valid against the Nlets XML {VERSION} schema: {reason}"
        kind: Callable[[str, str], MessageError] = (
            InvalidHeader if "NLETSMessageHeader" in path else InvalidFormat
        )
        raise kind(detail, quote)


def read(data: bytes | str, entry: str, root_tag: str) -> Element:
    """Parse, bound and validate one document whose root must be `root_tag`."""
    root = parse_element(data)
    quote = quote_of(data)
    if root.tag != root_tag:
        raise InvalidFormat(f"the root element must be {_prefixed(root_tag)}", quote)
    check_schema(root, entry, quote)
    return root


_PREFIXES = {N2: "n2", SR: "sr", SX: "sx", HDR: "hdr"}


def _prefixed(tag: str) -> str:
    namespace, _, name = tag[1:].partition("}")
    return f"{_PREFIXES.get(namespace, namespace)}:{name}"


def _prefixes(text: str) -> str:
    """`{http://www.nlets.org/niem/1.0}NLETS` as `n2:NLETS`, for an ER's reader."""
    for namespace, prefix in _PREFIXES.items():
        text = text.replace(f"{{{namespace}}}", f"{prefix}:")
    return text


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


__all__ = [
    "HDR",
    "MAX_BYTES",
    "MAX_DEPTH",
    "N2",
    "NC",
    "SR",
    "SX",
    "VERSION",
    "cdata",
    "check_schema",
    "escape_attr",
    "escape_text",
    "legal",
    "local",
    "parse_element",
    "quote_of",
    "read",
    "schema",
]

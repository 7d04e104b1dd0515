"""Which form a message's body is in, by its Content-Type, and which form
its reply is wanted in: XML when the message came in XML or `Accept` asks
for XML (and not also for JSON), else JSON as always.

Only the hub's replies to POST /v1/messages come in XML, its ERs among
them; a request refused before the hub sees it (no key, over its rate,
a `?wait=` out of range, a body over the server's limit) is answered in
JSON whatever it asked for, as every route answers those.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from switch.access.keys import Identity
from switch.clock import utc_now
from switch.core.numbers import MessageNumbers
from switch.core.replies import Reply
from switch.messages.xmlreply import reply_to_xml

XML_TYPES = ("application/xml", "text/xml")
XML_MEDIA_TYPE = "application/xml"


def _media_type(header: str) -> str:
    return header.partition(";")[0].strip().lower()


def body_form(request: Request) -> str:
    """text, json or xml: how the hub is to read the body."""
    media = _media_type(request.headers.get("content-type", ""))
    if media in XML_TYPES or media.endswith("+xml"):
        return "xml"
    # As before XML: any JSON type (application/json, application/x+json) is JSON.
    return "json" if "json" in media else "text"


def wants_xml(request: Request, form: str) -> bool:
    accept = request.headers.get("accept", "").lower()
    asks_xml = any(media in accept for media in XML_TYPES)
    asks_json = "json" in accept
    if form == "xml":
        return asks_xml or not asks_json
    return asks_xml and not asks_json


class XMLResponse(Response):
    media_type = XML_MEDIA_TYPE


def xml_reply(reply: Reply, identity: Identity, numbers: MessageNumbers) -> XMLResponse:
    """The hub's reply as `sr:SwitchReply`; an ER in it takes the next output number."""
    number = numbers.next() if "error" in reply.body else 0
    document = reply_to_xml(
        reply.body, http_status=reply.status_code, to=identity.ori, when=utc_now(), number=number
    )
    return XMLResponse(document.encode(), status_code=reply.status_code)

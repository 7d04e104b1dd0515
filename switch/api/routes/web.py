"""GET / and GET /static/{name}: the trainer's view, from the package.

The files need no key: the page asks for an admin key itself and sends it
with every API call. Nothing is fetched from elsewhere, which the content
security policy holds the page to.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import Response

from switch.errors import NotFoundError
from switch.web import STATIC

router = APIRouter(tags=["web"], include_in_schema=False)

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# INVARIANT: a name is one plain file of static/, never a path out of it.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(html|js|css|svg)$")

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _asset(name: str) -> Response:
    resource = STATIC / name
    if not _NAME.match(name) or not resource.is_file():
        raise NotFoundError(f"no such file {name}")
    media_type = MEDIA_TYPES["." + name.rsplit(".", 1)[1]]
    return Response(resource.read_bytes(), media_type=media_type, headers=HEADERS)


@router.get("/")
def index() -> Response:
    return _asset("index.html")


@router.get("/static/{name}")
def static(name: str) -> Response:
    return _asset(name)

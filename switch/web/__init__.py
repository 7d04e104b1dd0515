"""The trainer's view: a page served by the hub at `/`, vanilla JavaScript
with no build step. Every asset ships in `static/`; the page loads nothing
from the network but the hub's own API."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

STATIC: Traversable = files(__name__) / "static"

__all__ = ["STATIC"]

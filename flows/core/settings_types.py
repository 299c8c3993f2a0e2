"""Field types the config sections share (pydantic), with messages that say what is wrong."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from flows.core.warehouse import local_root


def _http(value: str) -> str:
    """An http(s) URL with a host, nothing a request line cannot carry (spaces, controls)."""
    bad = [c for c in value if c.isspace() or ord(c) < 32 or ord(c) == 127]
    if bad:
        raise ValueError(f"a URL cannot hold {bad[0]!r}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as e:
        raise ValueError(f"not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL with a host")
    return value


def _path(value: str) -> str:
    """A file-system path: not empty, no NUL."""
    if not value.strip():
        raise ValueError("an empty path (leave the key out for the default)")
    if "\x00" in value:
        raise ValueError("a path cannot hold a NUL byte")
    return value


HttpUrl = Annotated[str, AfterValidator(_http)]
PathText = Annotated[str, AfterValidator(_path)]
# the warehouse root: a path, not a URL (flows/core/warehouse.py)
WarehouseRoot = Annotated[str, AfterValidator(_path), AfterValidator(local_root)]

HOUSES = ("Commons", "Lords")


def _houses(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value or set(value) - set(HOUSES):
        raise ValueError(f"must be among {HOUSES}, got {list(value)}")
    return value


Houses = Annotated[tuple[str, ...], AfterValidator(_houses)]  # one or both, by name

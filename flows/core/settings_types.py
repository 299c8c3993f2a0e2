"""Field types the config sections share (pydantic), with messages that say what is wrong."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _http(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http)]

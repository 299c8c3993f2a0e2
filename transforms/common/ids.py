"""Deterministic ids: a short prefix naming the source plus a hash of the identifying fields."""

from __future__ import annotations

import hashlib

_SEP = "\x1f"


def stable_id(prefix: str, *parts: object, length: int = 24) -> str:
    joined = _SEP.join("" if p is None else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(joined.encode()).hexdigest()[:length]}"

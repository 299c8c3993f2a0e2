"""Turn raw bytes into text, or say precisely why they are not text we accept."""

from __future__ import annotations

from dataclasses import dataclass

_BOMS = {b"\xff\xfe": "UTF-16 LE", b"\xfe\xff": "UTF-16 BE"}
# C0 control bytes other than tab, LF, FF, CR: their count marks binary data.
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\f\r")


@dataclass(frozen=True)
class DecodeError:
    reason: str  # empty | binary | encoding
    detail: str
    line: int | None = None


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes) -> str | DecodeError:
    """UTF-8 (a BOM is allowed), LF or CRLF; anything else is a DecodeError."""
    if not data.strip():
        return DecodeError("empty", f"file is empty ({len(data)} bytes, no text)")
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            return DecodeError("encoding", f"file is {name} (byte-order mark); UTF-8 expected", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        return DecodeError(
            "binary", f"NUL byte at offset {nul}: binary data, not text", line_of(data, nul)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 4]
        return DecodeError(
            "encoding",
            f"invalid UTF-8 at byte offset {e.start} (bytes {bad!r}); "
            "the file is not UTF-8 (perhaps Windows-1252 or Latin-1)",
            line_of(data, e.start),
        )
    controls = len(data) - len(data.translate(None, _CONTROL))
    if controls > max(8, len(data) // 100):
        return DecodeError("binary", f"{controls} control characters: binary data, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")

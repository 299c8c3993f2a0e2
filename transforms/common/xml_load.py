"""Load ParlParse XML bytes safely, and read text out of the tree (twfy-xml.md A1, A6).

Pure: bytes in, an lxml tree (or a `LoadError` saying precisely why not) out.

Hardening. The parser never resolves entities, loads a DTD or touches the network, and keeps
libxml2's size limits (`huge_tree=False`). Before any parsing, the size is checked and the
DOCTYPE is read by hand: old ParlParse files carry an internal subset of HTML character
entities (`<!ENTITY mdash "&#8212;">`), which is the only DTD content accepted. An external
DTD or entity (SYSTEM/PUBLIC), a parameter entity, an entity defined from other entities (the
"billion laughs" bomb) or any other declaration is rejected as `hostile_xml` before lxml sees
the bytes, and the parsed declarations are checked again afterwards. Entity references stay
unexpanded in the tree (`resolve_entities=False`); `text_of` substitutes the single
characters declared for them.

Old files write Windows-1252 punctuation as C1 control references (`&#151;` for an em dash,
`&#146;` for an apostrophe, in the Public Bill Committee file): those code points are mapped to
the Windows-1252 characters they stand for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

MAX_XML_BYTES = 32 * 1024 * 1024  # the largest real day file is about 3 MB; people.xml 3.7 MB
MAX_ENTITY_CHARS = 8  # a declared entity stands for a character or two, never for markup

_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*(?P<external>(?:SYSTEM|PUBLIC)\b[^\[>]*)?"
    rb"(?:\[(?P<subset>[^\]]*)\]\s*)?>"
)
_SUBSET_TOKEN = re.compile(
    rb'\s+|<!--.*?-->|<!ENTITY\s+(?P<name>[A-Za-z_][\w.-]*)\s+"(?P<value>[^"]*)"\s*>', re.S
)
_CHAR_REFS = re.compile(rb"(?:&#[0-9]{1,7};|&#x[0-9a-fA-F]{1,6};|[^&%<])*")
_ASCII_WS = re.compile(r"[ \t\r\n]+")
_C1 = {n: bytes([n]).decode("cp1252", "replace") for n in range(0x80, 0xA0)}
_C1_TABLE = {n: c for n, c in _C1.items() if c != "\ufffd"}


@dataclass(frozen=True)
class LoadError:
    reason: str  # empty | too_large | encoding | hostile_xml | malformed
    detail: str
    line: int | None = None


@dataclass(frozen=True)
class Loaded:
    root: etree._Element
    entities: dict[str, str]  # declared character entities: name → replacement text


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _hostile(data: bytes) -> LoadError | None:
    """The DOCTYPE, read before parsing: only character entity declarations are accepted."""
    start = data.find(b"<!DOCTYPE")
    if start < 0:
        if b"<!ENTITY" in data:
            at = data.find(b"<!ENTITY")
            return LoadError("hostile_xml", "<!ENTITY outside a DOCTYPE", line_of(data, at))
        return None
    line = line_of(data, start)
    m = _DOCTYPE.match(data, start)
    if m is None:
        return LoadError("hostile_xml", "unreadable DOCTYPE declaration", line)
    if m["external"]:
        what = m["external"].strip()[:80].decode("ascii", "replace")
        return LoadError("hostile_xml", f"DOCTYPE refers to an external DTD ({what})", line)
    subset = m["subset"] or b""
    pos = 0
    base = m.start("subset") if m["subset"] is not None else start
    while pos < len(subset):
        tok = _SUBSET_TOKEN.match(subset, pos)
        at = line_of(data, base + pos)
        if tok is None:
            snippet = subset[pos : pos + 60].decode("ascii", "replace")
            if subset.startswith(b"<!ENTITY", pos):
                why = "an external, parameter or unquoted entity declaration"
            else:
                why = "a DTD declaration other than a character entity"
            return LoadError("hostile_xml", f"DOCTYPE holds {why}: {snippet!r}", at)
        value = tok["value"]
        if value is not None and not _CHAR_REFS.fullmatch(value):
            name = tok["name"].decode("ascii", "replace")
            return LoadError(
                "hostile_xml",
                f"entity {name!r} is defined from other entities or markup "
                f"({value[:40].decode('ascii', 'replace')!r}): an entity-expansion bomb is "
                "refused",
                at,
            )
        pos = tok.end()
    return None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _entities(tree: etree._ElementTree) -> dict[str, str] | LoadError:
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return {}
    entities = {}
    for decl in dtd.iterentities():
        content = decl.content
        if decl.system_url or content is None or "&" in content or "<" in content:
            return LoadError("hostile_xml", f"entity {decl.name!r} is external or nested")
        if len(content) > MAX_ENTITY_CHARS:
            return LoadError(
                "hostile_xml", f"entity {decl.name!r} stands for {len(content)} characters"
            )
        entities[decl.name] = content
    if any(True for _ in dtd.iterelements()):
        return LoadError("hostile_xml", "DOCTYPE declares elements: not ParlParse XML")
    return entities


def load_xml(data: bytes) -> Loaded | LoadError:
    """Parse `data` with the hardened parser, or say why not (reason, detail, line)."""
    if not data.strip():
        return LoadError("empty", f"file is empty ({len(data)} bytes, no XML)")
    if len(data) > MAX_XML_BYTES:
        return LoadError(
            "too_large", f"{len(data):,} bytes is over the {MAX_XML_BYTES:,}-byte limit"
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return LoadError("encoding", "UTF-16/32 text: ParlParse XML is 8-bit (UTF-8 or Latin-1)")
    hostile = _hostile(data)
    if hostile is not None:
        return hostile
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        message = str(e.msg or e).split(", line ")[0]
        reason = "encoding" if "encoding" in message.lower() else "malformed"
        return LoadError(reason, f"not well-formed XML: {message}", e.lineno or None)
    if root is None:
        return LoadError("malformed", "no root element")
    entities = _entities(root.getroottree())
    if isinstance(entities, LoadError):
        return entities
    return Loaded(root, entities)


def clean(text: str) -> str:
    """Runs of spaces, tabs and line breaks become one space (no-break spaces are kept);
    Windows-1252 C1 code points become their characters; ends stripped."""
    return _ASCII_WS.sub(" ", text.translate(_C1_TABLE)).strip()


def is_entity(node: etree._Element) -> bool:
    return isinstance(node, etree._Entity)


def raw_text(el: etree._Element, entities: dict[str, str]) -> str:
    """All text inside `el` (not its tail), entity references replaced by their characters."""
    parts = [el.text or ""]
    for child in el:
        if is_entity(child):
            parts.append(entities.get(child.name, f"&{child.name};"))
        else:
            parts.append(raw_text(child, entities))
        parts.append(child.tail or "")
    return "".join(parts)


def text_of(el: etree._Element, entities: dict[str, str]) -> str:
    return clean(raw_text(el, entities))

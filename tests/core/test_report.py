"""`hansard report`: the pure renderer on hand-made data, then the real page for the bundled
sample (plus one bad input) rendered in headless Chromium: its DOM and a screenshot.

The browser tests need Debian's `chromium` at /usr/bin/chromium; they skip, saying so, when it
is absent, and fail instead when HANSARD_REQUIRE_CHROMIUM is set (as .ci/run does).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.resolution import resolve_all
from tests.conftest import SAMPLE
from tests.support.runs import publish_only
from transforms.present import report_html
from transforms.present.report_html import SECTIONS, render

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCRIPT = "<script>alert('x')</script>"


def hand_made() -> dict:
    return {
        "generated_at": "2025-04-01 09:00:00 UTC",
        "warehouse": "/data/warehouse",
        "totals": {"debates": 3, "contributions": 40, "words": 999, "rejects": 1},
        "monthly": [
            {"month": "2024-11", "house": "Commons", "sittings": 2, "contributions": 30},
            {"month": "2025-01", "house": "Commons", "sittings": 1, "contributions": 6},
            {"month": "2025-01", "house": "Lords", "sittings": 1, "contributions": 4},
        ],
        "top_speakers": [
            {
                "speaker": SCRIPT,
                "party": "Lab",
                "houses": "Commons",
                "contributions": 3,
                "words": 600,
            },
            {
                "speaker": "Ann Other",
                "party": None,
                "houses": "Lords",
                "contributions": 1,
                "words": 150,
            },
        ],
        "party_share": [
            {"house": "Commons", "party": "Lab", "words": 600},
            {"house": "Lords", "party": None, "words": 150},
        ],
        "coverage": [
            {
                "source": "pp_text",
                "house": "Commons",
                "debates": 2,
                "contributions": 36,
                "words": 849,
                "first_date": "2024-11-05",
                "last_date": "2025-01-09",
            },
        ],
        "sources": [
            {
                "source": "pp_text",
                "raw_inputs": 3,
                "current_inputs": 3,
                "bytes": 12345,
                "rejects": 1,
                "first_date": "2024-11-05",
                "last_date": "2025-01-09",
            },
        ],
        "reject_reasons": [{"reason": "binary", "count": 1}],
        "latest_rejects": [
            {
                "rejected_at": "2025-04-01 08:59:00 UTC",
                "reason": "binary",
                "source_ref": "/in/<b>junk.txt:1",
                "detail": "NUL & more",
            },
        ],
    }


def sections(page: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="([^"]+)".*?>(.*?)</section>', page, re.S))


def bars(svg_id: str, page: str) -> list[dict[str, float]]:
    svg = re.search(rf'<svg [^>]*aria-labelledby="{svg_id}-title.*?</svg>', page, re.S)
    assert svg, f"no chart {svg_id}"
    return [
        {k: float(v) for k, v in re.findall(r'(\w[\w-]*)="([\d.]+)"', rect)}
        for rect in re.findall(r'<rect class="bar"[^>]*>', svg[0])
    ]


# ---------------------------------------------------------------- pure renderer


def test_data_text_is_escaped() -> None:
    page = render(hand_made())
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "/in/&lt;b&gt;junk.txt:1" in page and "NUL &amp; more" in page


def test_empty_sections_say_no_data() -> None:
    page = render({})
    found = sections(page)
    assert list(found) == [sid for sid, _ in SECTIONS]
    for sid, body in found.items():
        assert "No data" in body, sid
        assert "<svg" not in body, sid
    assert '<span class="n">0</span>' in page


def test_bar_sizes_are_proportional_to_values() -> None:
    page = render(hand_made())
    columns = bars("chart-contributions", page)
    assert sorted(b["data-value"] for b in columns) == [4, 6, 30]
    ratios = {round(b["height"] / b["data-value"], 2) for b in columns}
    assert len(ratios) == 1, ratios
    by_value = {b["data-value"]: b for b in columns}
    commons, lords = by_value[6], by_value[4]  # Jan 2025: Lords stacked on top of Commons
    assert lords["y"] + lords["height"] == pytest.approx(commons["y"])
    assert lords["x"] == commons["x"]
    assert min(b["y"] for b in columns) >= 0  # nothing above the plot
    speakers = bars("chart-speakers", page)
    assert [b["data-value"] for b in speakers] == [600, 150]
    assert speakers[0]["width"] == pytest.approx(4 * speakers[1]["width"], rel=1e-3)


def test_months_without_sittings_still_get_a_slot() -> None:
    assert report_html.month_range("2024-11", "2025-02") == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert "Dec 2024" in render(hand_made())


def test_every_chart_has_a_title_caption_and_data_table() -> None:
    page = render(hand_made())
    figures = re.findall(r"<figure .*?</figure>", page, re.S)
    assert len(figures) == 5
    for fig in figures:
        assert "<figcaption>" in fig and "<title id=" in fig and "<desc id=" in fig
        assert re.search(r"<details><summary>.*?</summary><table>", fig, re.S)


def _fills(page: str, svg_id: str) -> dict[str, str]:
    """Party label → colour of its bars in one chart (from the bars' tooltips)."""
    svg = re.search(rf'<svg [^>]*aria-labelledby="{svg_id}-title.*?</svg>', page, re.S)
    assert svg
    return {
        m[1]: m[0]
        for m in re.findall(
            r'<rect class="bar"[^>]*fill="(#[0-9a-f]+)"[^>]*>\s*<title>([^<]*)', svg[0]
        )
    }


def test_a_party_has_one_colour_on_the_whole_page() -> None:
    """Parties without a fixed colour get theirs once for the page: the same in every chart,
    though each chart holds a different set of them; "GP" (Green) has its own."""
    data = hand_made()
    data["top_speakers"] = [
        {"speaker": "A", "party": "Aaa", "party_basis": "on_date", "houses": "Commons",
         "contributions": 2, "words": 300},
        {"speaker": "Z", "party": "Zzz", "party_basis": "printed", "houses": "Commons",
         "contributions": 1, "words": 200},
        {"speaker": "G", "party": "GP", "party_basis": "on_date", "houses": "Commons",
         "contributions": 1, "words": 100},
    ]  # fmt: skip
    data["party_share"] = [
        {"house": "Commons", "party": "Zzz", "party_basis": "printed", "words": 200},
        {"house": "Commons", "party": "GP", "party_basis": "on_date", "words": 100},
    ]
    page = render(data)
    colours = report_html.party_colours(report_html.page_parties(data))
    assert colours["GP"] == report_html.PARTY_COLOURS["GP"]
    assert colours["Aaa"] != colours["Zzz"]
    speakers = _fills(page, "chart-speakers")
    assert speakers["Z: 200 words in 1 contributions"] == colours["Zzz"]
    parties = _fills(page, "chart-parties")
    assert parties["Commons, Zzz: 200 words (66.7%)"] == colours["Zzz"]
    assert "Z (Zzz (as printed))" in page  # the printed fallback is labelled
    assert "party on the sitting date (33% of words), else as printed (67%)" in page


def test_member_profiles_section() -> None:
    data = hand_made()
    data["members"] = [
        {"member_id": 1002, "name": "Angela Smith",
         "party_history": [{"party": "Labour", "start_date": "2005-05-05",
                            "end_date": "2019-02-18"},
                           {"party": "Liberal Democrat", "start_date": "2019-09-05",
                            "end_date": None}],
         "seat_history": [{"house": "Commons", "seat": "Penistone", "start_date": "2005-05-05",
                           "end_date": "2019-11-06"}],
         "speeches_by_source": [{"source": "twfy_xml", "speeches": 2, "words": 15}],
         "votes_by_kind": [{"vote": "aye", "votes": 1}]},
    ]  # fmt: skip
    body = sections(render(data))["members"]
    assert "Angela Smith (member 1002)" in body
    assert "Labour 2005-05-05–2019-02-18; Liberal Democrat 2019-09-05–" in body
    assert "twfy_xml: 2 speeches, 15 words" in body and "aye 1" in body


# ---------------------------------------------------------------- the real report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Path]:
    """The sample plus one binary file, through the plain pipeline functions (the derived
    tables too: the people sections read contributions_enriched), then the CLI."""
    tmp = tmp_path_factory.mktemp("report")
    bad = tmp / "inputs" / "not-a-transcript.txt"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01\x02 binary junk \xff\xfe")
    wh = Warehouse.at(tmp / "warehouse")
    publish_only(wh, [*sorted(SAMPLE.glob("*.txt")), bad])
    resolve_all(wh)
    refresh_views(wh)
    out = tmp / "out" / "report.html"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(wh.root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    return wh, out


def test_report_defaults_to_the_warehouse_folder(built: tuple[Warehouse, Path]) -> None:
    wh, _ = built
    result = CliRunner().invoke(app, ["report", "-w", str(wh.root)])
    assert result.exit_code == 0, result.output
    assert f"wrote {wh.root / 'report.html'}" in result.output
    assert (wh.root / "report.html").read_text().startswith("<!doctype html>")
    assert not list(wh.root.glob(".report.html.*"))  # the atomic write left no temp file


def test_report_without_a_warehouse_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "-w", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no DuckDB file" in result.output


def test_report_loads_nothing_from_the_network(built: tuple[Warehouse, Path]) -> None:
    page = built[1].read_text()
    resource = r"""(?:src|href|action|poster|srcset|data|xlink:href)\s*=\s*["']?\s*(?:https?:)?//"""
    assert not re.search(resource, page, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//|@import", page, re.I)
    assert not re.search(r"<(?:script|link|img|iframe|object|embed)\b", page, re.I)
    assert "http://" not in page and "https://" not in page


def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("HANSARD_REQUIRE_CHROMIUM"):
            pytest.fail(f"HANSARD_REQUIRE_CHROMIUM is set but {reason}")
        pytest.skip(reason)
    return CHROMIUM


def test_missing_chromium_skips_or_fails_as_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("HANSARD_REQUIRE_CHROMIUM", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium()
    monkeypatch.setenv("HANSARD_REQUIRE_CHROMIUM", "1")
    with pytest.raises(pytest.fail.Exception, match="HANSARD_REQUIRE_CHROMIUM"):
        chromium()


def run_chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(chromium()), *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp,
        env={**os.environ, "HOME": str(tmp)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def top_speaker(wh: Warehouse) -> str:
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    try:
        ((name,),) = con.execute(
            "select speaker_key from contributions where speaker_key is not null "
            "group by speaker_key order by sum(word_count) desc, speaker_key limit 1"
        ).fetchall()
    finally:
        con.close()
    return name


def test_report_dom_in_headless_chromium(built: tuple[Warehouse, Path], tmp_path: Path) -> None:
    wh, out = built
    dom = run_chromium(tmp_path, "--dump-dom", out.as_uri()).stdout
    totals = dict(re.findall(r'data-total="(\w+)"><span class="n">([\d,]+)</span>', dom))
    assert totals["debates"] == "6" and totals["contributions"] == "36"
    assert totals["rejects"] == "1" and totals["raw_inputs"] == "6"
    found = sections(dom)
    for sid, heading in SECTIONS:
        assert f">{heading}</h2>" in found[sid], heading
    name = top_speaker(wh)
    first = re.search(r'<td class="num">1</td><td>([^<]+)</td>', found["speakers"])
    assert first and first[1] == name
    assert "binary" in found["rejects"] and "not-a-transcript.txt:1" in found["rejects"]
    assert str(wh.root) in dom


# ---------------------------------------------------------------- screenshot (stdlib PNG)


def _add_bytes(a: bytes, b: bytes) -> bytes:
    """Bytewise (a + b) mod 256 for whole rows at once: no carry crosses a byte boundary."""
    low, high = int.from_bytes(b"\x7f" * len(a)), int.from_bytes(b"\x80" * len(a))
    x, y = int.from_bytes(a), int.from_bytes(b)
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(len(a))


def _unfilter(kind: int, line: bytes, prev: bytes, bpp: int) -> bytes:
    if kind == 0:
        return line
    if kind == 2:
        return _add_bytes(line, prev)
    out = bytearray(line)
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        if kind == 1:
            out[i] = (out[i] + a) & 0xFF
        elif kind == 3:
            out[i] = (out[i] + ((a + prev[i]) >> 1)) & 0xFF
        else:
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return bytes(out)


def png_colours(data: bytes) -> tuple[int, int, Counter[bytes]]:
    """Width, height and a count of each RGB colour in an 8-bit RGB(A) non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, interlace) == (8, 0) and ctype in (2, 6), (depth, ctype, interlace)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    bpp = 3 if ctype == 2 else 4
    stride, prev, colours = width * bpp, bytes(width * bpp), Counter()
    for y in range(height):
        start = y * (stride + 1)
        prev = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], prev, bpp)
        colours.update(prev[i : i + 3] for i in range(0, stride, bpp))
    return width, height, colours


def test_report_screenshot_is_not_blank(built: tuple[Warehouse, Path], tmp_path: Path) -> None:
    png = tmp_path / "r.png"
    run_chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2400", built[1].as_uri())
    data = png.read_bytes()
    assert len(data) > 30_000, f"screenshot only {len(data)} bytes"
    width, height, colours = png_colours(data)
    assert (width, height) == (1280, 2400)
    total = width * height
    background = colours.most_common(1)[0][1]
    assert len(colours) > 100, f"only {len(colours)} colours"
    assert total - background > total // 10, "90% or more of the page is one colour"
    commons = bytes.fromhex(report_html.HOUSE_COLOURS["Commons"][1:])
    labour = bytes.fromhex(report_html.PARTY_COLOURS["Lab"][1:])
    assert colours[commons] > 5_000, "the Commons bars of the over-time charts are missing"
    assert colours[labour] > 5_000, "the Labour bars of the speaker and party charts are missing"

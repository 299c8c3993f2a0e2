"""The warehouse report: one self-contained HTML page, charts as inline SVG.

Pure: `render` takes the plain numbers that flows/report.py queried (dicts and lists, keys
below) and returns the page as a string. Every piece of data text goes through html.escape.
The page loads nothing: no scripts, no external CSS, fonts or images, so it opens offline.
Each chart is a <figure> with a <figcaption>, an SVG <title>/<desc> and a <details> data table.

Input keys (a missing or empty one renders its section's "No data" message):
  generated_at, warehouse: str;  last_run: {flow, status, started_at, finished_at} or None
  totals: {debates, contributions, words, speakers, rejects, raw_inputs, current_inputs, runs}
  monthly: [{month: "YYYY-MM", house, sittings, contributions}]
  top_speakers: [{speaker, member_id, party, party_basis, houses, contributions, words}]
                                                  (one row per person, party on the date)
  party_share: [{house, party, party_basis, words}]  (party None = not known)
  members: [{member_id, name, party_history: [{party, start_date, end_date}],
             seat_history: [{house, seat, start_date, end_date}],
             speeches_by_source: [{source, speeches, words}], votes_by_kind: [{vote, votes}]}]
  coverage: [{source, house, debates, contributions, words, first_date, last_date}]
  sources: [{source, raw_inputs, current_inputs, bytes, first_date, last_date, rejects}]
  reject_reasons: [{reason, count}];  latest_rejects: [{rejected_at, reason, source_ref, detail}]
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]

HOUSE_COLOURS = {"Commons": "#006e46", "Lords": "#a6093d"}
# Party labels: the Members API's abbreviations and the ones printed on the pages (PP);
# others get FALLBACK_COLOURS, assigned once for the whole page (one colour per party everywhere).
# fmt: off
PARTY_COLOURS = {
    "Con": "#0a6ebd", "Lab": "#d50032", "Lab/Co-op": "#9e0b2f", "Lab Co-op": "#9e0b2f",
    "LD": "#f59a00", "SNP": "#e8c800", "Green": "#3b9c3b", "GP": "#3b9c3b", "PC": "#00594c",
    "DUP": "#c9572f", "SF": "#2f6b4f", "Reform": "#12a9c4", "RUK": "#12a9c4",
    "Alliance": "#d4a900", "APNI": "#d4a900", "SDLP": "#2e8b57", "UUP": "#4f8fd6",
    "CB": "#8a8f98", "XB": "#8a8f98", "Bishops": "#6b4c8a", "Bp": "#6b4c8a",
    "Non-Afl": "#b0a49a", "Ind": "#a7a7a7", "UKIP": "#70147a", "Alba": "#005eb8",
    "TUV": "#0c3a6a", "Spk": "#4a4a4a",
}
# fmt: on
FALLBACK_COLOURS = ("#6a4c93", "#1982c4", "#8a6d00", "#c2410c", "#0f766e", "#be185d", "#4d7c0f")
OTHER_COLOUR = "#5b6770"
NOT_PRINTED = "not known"
NOT_PRINTED_COLOUR = "#cfd4da"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDTH = 960

CSS = """
:root { color-scheme: light; --ink: #1d2328; --muted: #5b6770; --line: #d9dee3; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f8; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header, main, footer { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 3px solid #006e46; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta code { font-size: 13px; background: #e8ecef; padding: 1px 4px; border-radius: 3px;
  word-break: break-all; }
.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
  gap: 10px; margin: 0 0 12px; }
.total { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.total .n { display: block; font-size: 24px; font-weight: 650; }
.total .label { color: var(--muted); font-size: 13px; }
nav { font-size: 14px; margin-bottom: 20px; }
nav a { color: #00563a; margin-right: 14px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 18px 20px; margin: 0 0 20px; }
figure { margin: 0 0 18px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figcaption .note { display: block; font-weight: 400; color: var(--muted); font-size: 13px; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; font-size: 14px; fill: var(--ink); }
svg .inbar { font-size: 13px; }
svg .bar { shape-rendering: crispEdges; }
svg .axis { fill: var(--muted); font-size: 12px; }
svg .grid { stroke: #e6e9ec; }
svg .base { stroke: #9aa4ad; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0;
  margin: 6px 0; font-size: 13px; }
.legend li::before { content: ""; display: inline-block; width: 12px; height: 12px;
  margin-right: 6px; vertical-align: -1px; border-radius: 2px; background: var(--c); }
details { margin-top: 6px; font-size: 14px; }
summary { cursor: pointer; color: #00563a; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e6e9ec;
  vertical-align: top; }
th { background: #f0f3f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td.ref { word-break: break-all; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; }
.no-data { color: var(--muted); font-style: italic; margin: 4px 0 12px; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 24px; }
"""


# ---------------------------------------------------------------- small helpers


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def num(value: object) -> str:
    return f"{int(value or 0):,}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _f(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """An axis maximum ≥ value made of `ticks` round steps (1, 2 or 5 × 10^k)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0
    return step * math.ceil(value / step), step


def month_label(month: str) -> str:
    year, mm = month.split("-")
    return f"{MONTHS[int(mm) - 1]} {year}"


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive (so gaps show as empty months)."""
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def axis_labels(months: Sequence[str]) -> dict[str, str]:
    """Which months get an x-axis label: all of up to 12, else every few months, and past
    three years only Januaries (as "2019"), at most about a dozen labels either way."""
    if len(months) > 36:
        years = sorted({m[:4] for m in months})
        step = math.ceil(len(years) / 12)
        return {f"{y}-01": y for y in years[::step] if f"{y}-01" in months}
    step = math.ceil(len(months) / 12)
    return {m: month_label(m) for m in months[::step]}


def party_name(party: object) -> str:
    return NOT_PRINTED if party in (None, "") else str(party)


def page_parties(data: Row) -> list[object]:
    """Every party label the page shows, so one colour map serves every chart."""
    found: list[object] = [r.get("party") for r in data.get("top_speakers") or []]
    found += [r.get("party") for r in data.get("party_share") or []]
    return found


def party_colours(parties: Sequence[object]) -> dict[str, str]:
    """A colour per party label: known ones fixed, the rest from a palette in sorted order."""
    names = sorted({party_name(p) for p in parties})
    out = {NOT_PRINTED: NOT_PRINTED_COLOUR}
    unknown = [n for n in names if n not in PARTY_COLOURS and n != NOT_PRINTED]
    out.update({n: FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)] for i, n in enumerate(unknown)})
    out.update({n: PARTY_COLOURS[n] for n in names if n in PARTY_COLOURS})
    return out


def _fit(labels: Sequence[str], width: float, char_w: float = 7.5) -> str:
    """The first label that fits in `width` (estimated at `char_w` per character), else ""."""
    return next((t for t in labels if len(t) * char_w + 12 <= width), "")


def _text_on(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#1d2328" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def no_data(what: str) -> str:
    return f'<p class="no-data">No data: {esc(what)}</p>'


def table(
    rows: Sequence[Row], columns: Sequence[tuple[str, str]], numeric: str = "", **styles: str
) -> str:
    """A table of `rows` (dicts): one (heading, key) per column. Keys named in `numeric` are
    right-aligned with thousands separators; `styles` maps a CSS class to the keys it marks,
    e.g. ref="source_ref" (set as code) or nowrap="rejected_at"."""
    num_keys = set(numeric.split())
    classes = {k: c for c, keys in styles.items() for k in keys.split()}

    def cls(key: str) -> str:
        name = "num" if key in num_keys else classes.get(key)
        return f' class="{name}"' if name else ""

    def cell(key: str, v: object) -> str:
        return num(v) if key in num_keys and isinstance(v, int) else esc(v)

    head = "".join(f"<th{cls(k)}>{esc(h)}</th>" for h, k in columns)
    body = "".join(
        "<tr>" + "".join(f"<td{cls(k)}>{cell(k, r.get(k))}</td>" for _, k in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def legend(items: Sequence[tuple[str, str]]) -> str:
    lis = "".join(f'<li style="--c:{c}">{esc(label)}</li>' for label, c in items)
    return f'<ul class="legend">{lis}</ul>'


def figure(fid: str, caption: str, note: str, svg: str, data_table: str, extra: str = "") -> str:
    return (
        f'<figure id="{fid}"><figcaption>{esc(caption)}'
        f'<span class="note">{esc(note)}</span></figcaption>{svg}{extra}'
        f"<details><summary>Data table: {esc(caption.lower())}</summary>{data_table}</details>"
        "</figure>"
    )


def _svg(fid: str, title: str, desc: str, height: float, body: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {_f(height)}" role="img" '
        f'aria-labelledby="{fid}-title {fid}-desc">'
        f'<title id="{fid}-title">{esc(title)}</title><desc id="{fid}-desc">{esc(desc)}</desc>'
        f"{body}</svg>"
    )


def _rect(x: float, y: float, w: float, h: float, colour: str, value: int, tip: str) -> str:
    return (
        f'<rect class="bar" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" '
        f'fill="{colour}" data-value="{int(value)}"><title>{esc(tip)}</title></rect>'
    )


# ---------------------------------------------------------------- charts


def column_chart(fid: str, title: str, months: list[str], series: dict[str, dict[str, int]]) -> str:
    """One column per month, stacked by series (house); heights proportional to the values."""
    height, left, top, bottom = 280.0, 56.0, 14.0, 36.0
    plot_w, plot_h = WIDTH - left - 12, height - top - bottom
    ymax, step = nice_max(max(sum(s.get(m, 0) for s in series.values()) for m in months))
    parts = []
    for k in range(int(round(ymax / step)) + 1):
        y = top + plot_h - k * step / ymax * plot_h
        parts.append(
            f'<line class="grid" x1="{_f(left)}" x2="{WIDTH - 12}" y1="{_f(y)}" y2="{_f(y)}"/>'
            f'<text class="axis" x="{_f(left - 8)}" y="{_f(y + 4)}" '
            f'text-anchor="end">{num(k * step)}</text>'
        )
    group = plot_w / max(len(months), 1)
    labels = axis_labels(months)
    for i, month in enumerate(months):
        x0, y = left + i * group + group * 0.1, top + plot_h
        for name, values in series.items():
            value = values.get(month, 0)
            if value:
                h = value / ymax * plot_h
                y -= h
                colour = HOUSE_COLOURS.get(name, OTHER_COLOUR)
                tip = f"{name}, {month_label(month)}: {num(value)}"
                parts.append(_rect(x0, y, group * 0.8, h, colour, value, tip))
        if month in labels:
            parts.append(
                f'<text class="axis" x="{_f(left + (i + 0.5) * group)}" '
                f'y="{_f(height - 14)}" text-anchor="middle">{esc(labels[month])}</text>'
            )
    base = top + plot_h
    parts.append(f'<line class="base" x1="{_f(left)}" x2="{WIDTH - 12}" y1="{base}" y2="{base}"/>')
    desc = f"{title}: {len(months)} months, each column stacked by house."
    return _svg(fid, title, desc, height, "".join(parts))


def bar_chart(fid: str, title: str, rows: Sequence[tuple[str, int, str, str]]) -> str:
    """Horizontal bars: (label, value, colour, tooltip) per row, widths proportional."""
    row_h, label_w, top = 26.0, 310.0, 6.0
    plot_w = WIDTH - label_w - 80
    xmax, _ = nice_max(max((v for _, v, _, _ in rows), default=0))
    parts = []
    for i, (label, value, colour, tip) in enumerate(rows):
        y = top + i * row_h
        w = value / xmax * plot_w
        parts.append(
            f'<text x="{_f(label_w - 10)}" y="{_f(y + 17)}" text-anchor="end">'
            f"{esc(_clip(label, 38))}</text>"
            + _rect(label_w, y + 4, w, row_h - 8, colour, value, tip)
            + f'<text class="axis" x="{_f(label_w + w + 6)}" y="{_f(y + 17)}">{num(value)}</text>'
        )
    height = top * 2 + len(rows) * row_h
    parts.append(f'<line class="base" x1="{label_w}" x2="{label_w}" y1="0" y2="{_f(height)}"/>')
    return _svg(fid, title, f"{title}: {len(rows)} bars.", height, "".join(parts))


def share_chart(
    fid: str,
    title: str,
    houses: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    colours: Mapping[str, str],
) -> str:
    """One 100% stacked bar per house; each segment a party's share of the words."""
    row_h, label_w, top = 44.0, 150.0, 6.0
    plot_w = WIDTH - label_w - 12
    parts = []
    for i, (house, parties) in enumerate(houses):
        y, x = top + i * row_h, label_w
        total = sum(w for _, w in parties) or 1
        parts.append(
            f'<text x="{_f(label_w - 10)}" y="{_f(y + 24)}" text-anchor="end">{esc(house)}</text>'
        )
        for party, words in parties:
            w = words / total * plot_w
            colour = colours[party]
            tip = f"{house}, {party}: {num(words)} words ({words / total:.1%})"
            parts.append(_rect(x, y + 6, w, row_h - 12, colour, words, tip))
            label = _fit([f"{party} {words / total:.0%}", f"{words / total:.0%}"], w)
            if label:
                parts.append(
                    f'<text x="{_f(x + 6)}" y="{_f(y + 27)}" class="inbar" '
                    f'style="fill:{_text_on(colour)}">{esc(label)}</text>'
                )
            x += w
    height = top * 2 + len(houses) * row_h
    return _svg(fid, title, f"{title}, one bar per house.", height, "".join(parts))


# ---------------------------------------------------------------- sections


def header(data: Row) -> str:
    t = data.get("totals") or {}
    cards = "debates contributions words speakers raw_inputs rejects runs".split()
    totals = "".join(
        f'<div class="total" data-total="{key}"><span class="n">{num(t.get(key))}</span> '
        f'<span class="label">{key.replace("_", " ")}</span></div>'
        for key in cards
    )
    run = data.get("last_run")
    last = (
        f"Last run: {esc(run.get('flow'))}, {esc(run.get('status'))}, "
        f"started {esc(run.get('started_at'))}."
        if run
        else "No runs recorded."
    )
    nav = "".join(f'<a href="#{sid}">{esc(h)}</a>' for sid, h in SECTIONS)
    return (
        "<header><h1>Hansard Warehouse report</h1>"
        f'<p class="meta">Generated <time>{esc(data.get("generated_at"))}</time> '
        f"from <code>{esc(data.get('warehouse'))}</code>. {last}</p>"
        f'<div class="totals">{totals}</div><nav aria-label="Sections">{nav}</nav></header>'
    )


def over_time(data: Row) -> str:
    rows = list(data.get("monthly") or [])
    if not rows:
        return no_data("no debates have been published yet.")
    months = month_range(min(r["month"] for r in rows), max(r["month"] for r in rows))
    houses = sorted({r["house"] for r in rows}, key=lambda h: (h not in HOUSE_COLOURS, h))
    keys = legend([(h, HOUSE_COLOURS.get(h, OTHER_COLOUR)) for h in houses])
    cols = [("Month", "month"), ("House", "house"), ("Sittings", "sittings")]
    fallback = table(rows, [*cols, ("Contributions", "contributions")], "sittings contributions")
    out = []
    for metric, caption, note in (
        ("sittings", "Sittings per month", "A sitting is one sitting day at one location."),
        ("contributions", "Contributions per month", "One contribution is one speaker's turn."),
    ):
        series = {h: {r["month"]: r[metric] for r in rows if r["house"] == h} for h in houses}
        svg = column_chart(f"chart-{metric}", f"{caption}, by house", months, series)
        out.append(figure(f"fig-{metric}", f"{caption}, by house", note, svg, fallback, keys))
    return "".join(out)


def top_speakers(data: Row) -> str:
    rows = [
        {**r, "rank": i, "party": party_name(r.get("party"))}
        for i, r in enumerate(data.get("top_speakers") or [], 1)
    ]
    if not rows:
        return no_data("no contribution has a named speaker.")
    colours = party_colours(page_parties(data))
    for r in rows:
        r["party_shown"] = r["party"] + (
            " (as printed)" if r.get("party_basis") == "printed" else ""
        )
    bars = [
        (
            r["speaker"] if r["party"] == NOT_PRINTED else f"{r['speaker']} ({r['party_shown']})",
            r["words"],
            colours[r["party"]],
            f"{r['speaker']}: {num(r['words'])} words in {num(r['contributions'])} contributions",
        )
        for r in rows
    ]
    cols = [("#", "rank"), ("Speaker", "speaker"), ("Member id", "member_id")]
    cols += [("Party", "party_shown"), ("House", "houses")]
    cols += [("Contributions", "contributions"), ("Words", "words")]
    fallback = table(rows, cols, "rank member_id contributions words")
    caption = f"Top {len(rows)} speakers by words"
    note = (
        "One bar per person (a resolved member, else a TheyWorkForYou person, else a printed "
        "name); party on their latest sitting date, else as printed (marked)."
    )
    svg = bar_chart("chart-speakers", caption, bars)
    return figure("fig-speakers", caption, note, svg, fallback)


def party_share(data: Row) -> str:
    rows = [{**r, "party": party_name(r.get("party"))} for r in data.get("party_share") or []]
    if not rows:
        return no_data("no words have been published yet.")
    colours = party_colours(page_parties(data))
    houses: dict[str, list[tuple[str, int]]] = {}
    by_party: dict[tuple[str, str], int] = {}
    for r in rows:  # one segment per party, whatever the basis
        by_party[(r["house"], r["party"])] = by_party.get((r["house"], r["party"]), 0) + r["words"]
    for (house, party), words in sorted(by_party.items(), key=lambda kv: (kv[0][0], -kv[1])):
        houses.setdefault(house, []).append((party, int(words)))
    totals = {h: sum(w for _, w in ps) or 1 for h, ps in houses.items()}
    basis = {"on_date": "on the sitting date", "printed": "as printed"}
    shares = [
        {
            **r,
            "basis": basis.get(r.get("party_basis") or "", "—"),
            "share": f"{r['words'] / totals[r['house']]:.1%}",
        }
        for r in rows
    ]
    cols = [("House", "house"), ("Party", "party"), ("Basis", "basis"), ("Words", "words")]
    fallback = table(shares, [*cols, ("Share", "share")], "words share")
    caption = "Share of words by party, per house"
    all_words = sum(r["words"] for r in rows) or 1
    dated = sum(r["words"] for r in rows if r.get("party_basis") == "on_date") / all_words
    printed = sum(r["words"] for r in rows if r.get("party_basis") == "printed") / all_words
    note = (
        f"The speaker's party on the sitting date ({dated:.0%} of words), else as printed "
        f"({printed:.0%}); the rest is not known."
    )
    svg = share_chart("chart-parties", caption, list(houses.items()), colours)
    used = sorted({r["party"] for r in rows}, key=lambda p: (p == NOT_PRINTED, p))
    keys = legend([(p, colours[p]) for p in used])
    return figure("fig-parties", caption, note, svg, fallback, keys)


DATES = [("First sitting", "first_date"), ("Last sitting", "last_date")]
COVERAGE_COLS = [("Source", "source"), ("House", "house"), ("Debates", "debates")]
COVERAGE_COLS += [("Contributions", "contributions"), ("Words", "words"), *DATES]
SOURCE_COLS = [("Source", "source"), ("Raw inputs", "raw_inputs"), ("Current", "current_inputs")]
SOURCE_COLS += [("Bytes", "bytes"), ("Rejects", "rejects"), *DATES]
REJECT_COLS = [("Rejected at", "rejected_at"), ("Reason", "reason")]
REJECT_COLS += [("Source ref", "source_ref"), ("Detail", "detail")]


def coverage(data: Row) -> str:
    rows, sources = data.get("coverage") or [], data.get("sources") or []
    if not rows and not sources:
        return no_data("nothing has been ingested yet.")
    per_house = table(rows, COVERAGE_COLS, "debates contributions words")
    per_source = table(sources, SOURCE_COLS, "raw_inputs current_inputs bytes rejects")
    return (
        "<h3>Rows per source and house</h3>"
        + (per_house if rows else no_data("no rows published."))
        + "<h3>Inputs and date range per source</h3>"
        + (per_source if sources else no_data("no raw inputs."))
    )


def rejects(data: Row) -> str:
    reasons = list(data.get("reject_reasons") or [])
    if not reasons:
        return no_data("no input or fragment has been rejected.")
    bars = [(r["reason"], r["count"], "#b45309", f"{r['reason']}: {r['count']:,}") for r in reasons]
    fallback = table(reasons, [("Reason", "reason"), ("Rejects", "count")], "count")
    caption = "Rejects by reason"
    note = "Inputs or fragments that were not published; the rejects view lists them all."
    svg = bar_chart("chart-rejects", caption, bars)
    latest = [  # the detail names the source ref again: shown once, in its own column
        {**r, "detail": str(r["detail"]).removeprefix(f"{r['source_ref']}: ")}
        for r in data.get("latest_rejects") or []
    ]
    return (
        figure("fig-rejects", caption, note, svg, fallback)
        + f"<h3>Latest {len(latest)} reject{'' if len(latest) == 1 else 's'}</h3>"
        + table(latest, REJECT_COLS, ref="source_ref", nowrap="rejected_at reason")
    )


def _periods(items: Sequence[Row], label: str) -> str:
    return "; ".join(
        f"{i.get(label) or '?'} {i.get('start_date') or '…'}–{i.get('end_date') or ''}"
        for i in items
    )


def members(data: Row) -> str:
    rows = list(data.get("members") or [])
    if not rows:
        return no_data("no top speaker is a resolved member (run the members refresh).")
    out = []
    for m in rows:
        sources = ", ".join(
            f"{s['source']}: {num(s['speeches'])} speeches, {num(s['words'])} words"
            for s in m.get("speeches_by_source") or []
        )
        votes = ", ".join(f"{v['vote']} {num(v['votes'])}" for v in m.get("votes_by_kind") or [])
        facts = [
            {"what": "Party history", "value": _periods(m.get("party_history") or [], "party")},
            {"what": "Seats", "value": _periods(m.get("seat_history") or [], "seat")},
            {"what": "Speeches", "value": sources or "none"},
            {"what": "Votes", "value": votes or "none recorded"},
        ]
        out.append(
            f'<h3 id="member-{esc(m["member_id"])}">{esc(m.get("name"))} '
            f"(member {esc(m['member_id'])})</h3>" + table(facts, [("", "what"), ("", "value")], "")
        )
    return "".join(out)


SECTIONS = (
    ("over-time", "Sittings and contributions over time"),
    ("speakers", "Top speakers"),
    ("parties", "Party share of words"),
    ("members", "Member profiles"),
    ("coverage", "Source coverage"),
    ("rejects", "Rejects"),
)
_RENDERERS = (over_time, top_speakers, party_share, members, coverage, rejects)


def render(data: Row) -> str:
    """The whole page as one HTML string."""
    sections = "".join(
        f'<section id="{sid}" aria-labelledby="{sid}-h"><h2 id="{sid}-h">{esc(heading)}</h2>'
        f"{fn(data)}</section>"
        for (sid, heading), fn in zip(SECTIONS, _RENDERERS, strict=True)
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Hansard Warehouse report</title>"
        f"<style>{CSS}</style></head><body>{header(data)}<main>{sections}</main>"
        "<footer>Static page generated by <code>hansard report</code>; "
        "it loads nothing from the network. Query the same numbers with "
        "<code>hansard sql</code>.</footer></body></html>\n"
    )

"""Generate Hansard API recordings for benchmarks: calendar months, per-day contribution search
pages (Spoken and Written, 100 per page) and `/debates/debate/{ExtId}.json` bodies, in the real
JSON shapes, as a folder `tests.support.replay_server` serves as it is.

Every name, id and sentence is invented here (vocabulary and sentence templates imported from
bench/generate_text.py); nothing is copied from the recorded corpus, which was only measured.
Deterministic from --seed; streaming: one house-day is built in memory, written out and dropped,
so memory stays flat from one day to 7.6 million contributions.

    uv run python bench/generate_api.py OUT --contributions 1000000 --seed 1
    uv run python bench/generate_api.py OUT --days 5            # 5 sitting dates, both houses
    uv run python -m tests.support.replay_server --fixtures OUT          # then:
    uv run hansard ingest api --from FIRST_DAY --to LAST_DAY --base-url URL --rps 1000

Layout of OUT (paths in routes.jsonl are relative to OUT):

    OUT/GENERATED.json        seed, size asked, first_day/last_day, counts, bytes by kind
    OUT/routes.jsonl          one route a line: {"path", "query", "body_file"} or inline "body"
    OUT/bodies/calendar/{House}/{YYYY-MM}.json                      /overview/calendar.json
    OUT/bodies/search/{House}/{YYYY}/{YYYY-MM-DD}-{spoken|written}-{skip:05d}.json
                                                     /search/contributions/{Spoken|Written}.json
    OUT/bodies/debates/{House}/{YYYY}/{ExtId}.json   /debates/debate/{ExtId}.json of every section
                              holding contributions: Overview, Navigator, Items, ChildDebates=[]
    OUT/bodies/containers/{House}/{YYYY}/{ExtId}.json  department headings of oral questions:
                              their Items repeat their children's and ChildDebates holds the
                              children whole (as on the real API), so reading bodies/debates/
                              alone sees every contribution exactly once

Calendar months without sittings are inline `[]` routes. Every contribution in a search page is
an `Items` entry (`ItemType` Contribution, same `ItemId`, `ExternalId` = `ContributionExtId`,
`Value` = `ContributionTextFull`) of exactly one body under bodies/debates/; those bodies also
hold unattributed items the search never returns (`hs_Timestamp`, `hs_Procedure`,
`hs_76fChair`). `GENERATED.json` "contributions" is the number the pipeline must publish.

Shape, per sitting date (a "day" of --days): the Commons sits (Chamber; Westminster Hall
Monday to Thursday; written statements) and the Lords on most Commons days (Chamber; Grand
Committee some days; written statements). Commons Chamber: oral questions (a container
`hs_6bDepartment` with `hs_8Question` children, the first item a `<Question>` with its number,
a topical-questions section), 0-2 statements or urgent questions, 1-3 bills or motions, an
adjournment debate; Fridays private members' bills. Lords: oral questions opening "To ask His
Majesty's Government…", then debates. Ids: GUIDs (0.5% 14-digit numbers), `Source` the integer
2, space-padded titles, "" chain ends, column numbers running through a volume.

Figures measured from the real corpus (shared/corpus; used only to set these parameters):

  A = hansard-api/extracts/hansard-api_search-contributions-spoken_result-items_306.json
      (306 real search items, one member, Commons 2024-07-17..2026-07-16, 148 sitting days)
  O = hansard-api/extracts/hansard-api_debate-overview-objects_202.json (202 real Overviews)
  S = hansard-api/extracts/members-api_member185-contribution-summary_items_220.json
  T = twfy/debates2023-03-28d.xml (a whole modern Commons day), twfy/westminster2009-10-27a.xml,
      twfy/daylord2009-10-26a.xml, twfy/ministerial2009-10-26c.xml, twfy/lordswms2009-10-27a.xml

  * speech length, words of tag-stripped text: A median 110, p10 44, p90 462, p99 1282, max 2608;
    T (2023) median 85, p90 461, p99 1767 -> lognormal, median 100, sigma 1.2, 3..3000 words.
  * paragraphs (`\\r\\n\\r\\n`): A 215/306 (70%) one paragraph; the rest 2-14, one 33
    -> one paragraph under 160 words, else paragraphs of ~90 words (lognormal).
  * markup in item text, A: column-number spans in 88/306 items, 204 spans in 59,925 words (a
    column every ~294 words); `<em>` in 18/306 items (39 tags); cross-reference spans 4/306;
    `<Question>` 5/306; `&amp;` 3/306; no `<p>`, no `<i>` and no other tag (0/306; `<p>`/`<i>`
    belong to ParlParse XML, bench/generate_twfy.py) -> spans at the column crossings, `<em>` in
    6%, cross-references 1.3%, `&` always escaped.
  * fields, A: `Timecode` null 122/306 (40%); `AttributedTo` bare (no brackets) 91/306 (30%);
    `DebateSection` space-padded 114/306; `ContributionText` a 255-character preview, leading
    space on 300/306 (not on `<Question>` items); `Rank` 0. O: `Title` padded 81/202; `Source` 2;
    `ContentLastUpdated` after the sitting by median 15 days (p90 92) with 3/2/1 fractional
    digits in 143/53/6; 14-digit `ExtId` 1/202; `Next…` "" at chain ends 12/202.
  * contributions per debate section, T 2023 (23 sections, 436 speeches): median 6, p75 11,
    p90 44, p99 181; Westminster Hall 2009: median 18 (6 debates, 123 speeches); Lords 2009:
    median 16, p90 98 (7 debates, 212 speeches); A: `OrderInDebateSection` median 53, p90 158,
    p99 381 (a backbencher's turns sit in the longer debates); `DebateSectionOrder` up to 30.
  * speakers per debate section, T 2023: median 3, p90 23, p99 44; Westminster Hall median 6;
    Lords median 11 -> a pool of about n^0.72 speakers for n contributions.
  * sections per sitting: T Commons Chamber 23 (2023) and 33 (2009), Westminster Hall 6,
    Lords 7; written statements 8 (Commons) and 5 (Lords) a day.
  * interventions and questions, S (333 contributions of one member): supplementary questions
    136 (41%), interventions 93 (28%), speeches 47, points of order 12, questions 5; T 2023
    speech types: answers 109, supplementaries 87, interventions 53, questions 26, speeches 33
    -> in question sections question / answer / supplementary turns; elsewhere ~30% of
    backbench turns are short interventions (scale 0.45).
  * sitting calendar, A (days member 185 spoke): Mon 47, Tue 37, Wed 41, Thu 19, Fri 3, Sat 1;
    no August, September 9 and May 8 of 148 -> Monday-Thursday in sitting weeks, 30% of
    Fridays, recesses at New Year, February, Easter, Whitsun, August to early September,
    the conference weeks and Christmas: ~155 Commons sitting days a year. Lords: 92% of
    Commons days, 10% of Fridays (an assumption: no Lords API recording exists).
  * not measured (no real recording): Written type share, Grand Committee, Lords tags (the
    peers' `NewDebate`), `DebateTypeId` 3 for written statements, debate `Items` beyond the
    search items, `Navigator` rows; these follow hansard-api.md and
    tests/support/fixtures/hansard_api.

Generated aggregates (contributions per section, speakers per section, words, markup shares) are
written to GENERATED.json so that they can be compared with the figures above.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any, TextIO

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from generate_text import (  # noqa: E402
    C_CHAIR,
    C_LORDS_CHAIR,
    DEPARTMENTS,
    MONTHS,
    PORTFOLIOS,
    TOPICS,
    Generator,
    Person,
)

from tests.support.replay_fixtures import (  # noqa: E402
    PAGE_SIZE,
    calendar_item,
    calendar_query,
    contribution_path,
    contribution_query,
    debate_path,
    json_body,
    search_envelope,
)

MB = 1_000_000
START = date(2031, 1, 6)  # invented dates, as in tests/support/fixtures/hansard_api
WORDS_MEDIAN, WORDS_SIGMA, WORDS_MIN, WORDS_MAX = 100, 1.2, 3, 3000
WORDS_PER_COLUMN = 294
SINGLE_PARAGRAPH_UNDER = 160
COLUMNS_PER_VOLUME = 1400
CODES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# weeks of the year (ISO week numbers) in recess; ~36 sitting weeks
RECESS_WEEKS = frozenset({1, 8, 14, 15, 22, 31, 32, 33, 34, 35, 36, 38, 39, 40, 52, 53})
COMMONS_TAGS = (  # Overview HRSTag of main business, weights from O
    ("hs_2DebBill", 39),
    ("hs_2cBillTitle", 15),
    ("hs_2cDebatedMotion", 13),
    ("hs_2BillTitle", 7),
    ("hs_2DebatedMotion", 6),
    ("hs_2cGenericHdg", 10),
)
STATEMENT_TAGS = (("hs_2cStatement", 56), ("hs_2cUrgentQuestion", 35))
STAGE_DIRECTIONS = (
    "<em>[</em><em>Interruption.</em><em>]</em>",
    "<em>[</em><em>Laughter.</em><em>]</em>",
    "<em>[</em><em>Hon. Members: “Hear, hear!”</em><em>]</em>",
)
PUBLICATIONS = ("Calder Valley Courier", "Northern Gazette", "Westmoor Post", "Fenwick Herald")
WRITTEN = "Written Statements"
_TAGS = re.compile(r"<(span|QuestionText)[^>]*>|<[^>]+>")


def guid(rng: Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def code(n: int) -> str:
    return CODES[n // 26 % 26] + CODES[n % 26]


def clock(seconds: int) -> str:
    seconds %= 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def preview(full: str, question: bool) -> str:
    """The 255-character plain preview: tags dropped (spans as a space), leading space."""
    plain = _TAGS.sub(lambda m: " " if m.group(1) else "", full)
    return (("" if question else " ") + plain)[:255]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sits(day: date, house: str, rng: Random) -> bool:
    """The invented sitting calendar (module docstring)."""
    if day.isocalendar().week in RECESS_WEEKS or day.weekday() >= 5:
        return False
    if house == "Commons":
        return day.weekday() < 4 or rng.random() < 0.3
    return rng.random() < (0.92 if day.weekday() < 4 else 0.1)


# --------------------------------------------------------------------------- sections


@dataclass
class Section:
    """One debate section of a house-day, planned before any text is written."""

    house: str
    location: str
    kind: str  # question | topical | statement | business | adjournment | wh | lords_q | written
    title: str
    tag: str
    n: int  # contributions (search-visible items)
    topic: dict
    dept: str
    ext_id: str = ""
    id: int = 0
    order: int = 0
    parent: Section | None = None  # a container heading (oral questions department)
    children: list[Section] = field(default_factory=list)
    prev: Section | None = None
    next: Section | None = None
    items: list[dict] = field(default_factory=list)
    updated: str = ""

    @property
    def contributions_type(self) -> str:
        return "Written" if self.kind == "written" else "Spoken"


@dataclass
class Cast:
    speakers: list[Person]
    minister: Person
    chair: Person
    office: str
    chair_display: str


@dataclass
class Turn:
    who: Person
    display: str
    scale: float = 1.0  # of the median speech length
    chair: bool = False
    question: str | None = None  # an oral question's text (`<Question>` markup)
    opener: str | None = None
    ext_id: str | None = None


@dataclass
class Stats:
    contributions: int = 0
    written: int = 0
    sections: int = 0
    containers: int = 0
    house_days: int = 0
    sitting_dates: int = 0
    files: int = 0
    routes: int = 0
    bytes: Counter = field(default_factory=Counter)
    per_section: Counter = field(default_factory=Counter)  # contributions -> sections
    speakers: Counter = field(default_factory=Counter)  # distinct speakers -> sections
    words: Counter = field(default_factory=Counter)
    markup: Counter = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        sections = sum(self.per_section.values())
        return {
            "sitting_dates": self.sitting_dates,
            "house_days": self.house_days,
            "contributions": self.contributions,
            "spoken": self.contributions - self.written,
            "written": self.written,
            "debate_sections": self.sections,
            "container_sections": self.containers,
            "routes": self.routes,
            "files": self.files,
            "bytes": sum(self.bytes.values()),
            "bytes_by_kind": dict(self.bytes),
            "contributions_per_section": {
                **_hist_quantiles(self.per_section),
                "mean": round(self.contributions / max(1, sections), 1),
            },
            "speakers_per_section": _hist_quantiles(self.speakers),
            "contributions_per_sitting_date": round(
                self.contributions / max(1, self.sitting_dates), 1
            ),
            "speech_words": _hist_quantiles(self.words),
            "markup_items": dict(self.markup),
        }


class Sink:
    """Writes body files and route lines; keeps only counters."""

    def __init__(self, out: Path, stats: Stats) -> None:
        self.out, self.stats = out, stats
        self.routes: TextIO = (out / "routes.jsonl").open("w", encoding="utf-8")
        self.dirs: set[Path] = set()

    def body(self, rel: str, payload: Any, kind: str) -> str:  # noqa: ANN401
        data = json_body(payload)
        path = self.out / rel
        if path.parent not in self.dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(path.parent)
        path.write_bytes(data)
        self.stats.files += 1
        self.stats.bytes[kind] += len(data)
        return rel

    def route(self, path: str, query: dict | None, rel: str | None, body: Any = None) -> None:  # noqa: ANN401
        entry: dict[str, Any] = {"path": path}
        if query:
            entry["query"] = query
        if rel is None:
            entry["body"] = body
        else:
            entry["body_file"] = rel
        self.routes.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.stats.routes += 1

    def close(self) -> None:
        self.routes.close()


class ApiCorpus:
    """All randomness from one Random (the text generator's), so output follows the seed."""

    def __init__(self, out: Path, seed: int) -> None:
        self.g = Generator(seed)
        self.rng = self.g.rng
        self.stats = Stats()
        self.sink = Sink(out, self.stats)
        self.ids = {"section": 6_000_000, "item": 80_000_000, "tree": 9_000_000}
        self.member_ids = {id(p): 90_001 + i for i, p in enumerate(self.g.mps)}
        self.member_ids.update({id(p): 95_001 + i for i, p in enumerate(self.g.peers)})
        # house: [column, volume, words into the column]
        self.col_state = {"Commons": [1, 801, 0], "Lords": [1, 1101, 0]}
        self.months: dict[tuple[str, int, int], list[str]] = {}

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    # ---- planning a house-day

    def pick_topic(self) -> tuple[dict, str]:
        topic = self.rng.choice(TOPICS)
        return topic, DEPARTMENTS[topic["dept"]]

    def lognormal(self, median: float, sigma: float, lo: int = 1, hi: int = 600) -> int:
        return max(lo, min(hi, round(self.rng.lognormvariate(math.log(median), sigma))))

    def section(self, house: str, location: str, kind: str, tag: str, n: int, **kw: Any) -> Section:  # noqa: ANN401
        topic, dept = kw.pop("topic", None) or self.pick_topic()
        title = kw.pop("title", None) or self.rng.choice(topic["titles"])
        if self.rng.random() < 0.4:  # space-padded titles (O: 81/202, A: 114/306)
            title = " " + title
        return Section(house, location, kind, title, tag, n, topic, dept, **kw)

    def plan(self, house: str, day: date) -> list[Section]:
        """Sections of one house-day, in sitting order (containers before their children)."""
        return self.plan_commons(day) if house == "Commons" else self.plan_lords(day)

    def plan_commons(self, day: date) -> list[Section]:
        r, out, wd = self.rng, [], day.weekday()
        house, chamber = "Commons", "Commons Chamber"
        if wd < 4:
            topic = self.pick_topic()
            head = self.section(house, chamber, "container", "hs_6bDepartment", 0, topic=topic)
            head.title = topic[1].replace("Department for ", "").replace("Department of ", "")
            out.append(head)
            sizes = [("question", self.lognormal(5, 0.45, 2, 30)) for _ in range(r.randint(9, 16))]
            sizes.append(("topical", self.lognormal(22, 0.35, 6, 80)))
            for kind, n in sizes:
                title = "Topical Questions" if kind == "topical" else None
                q = self.section(
                    house, chamber, kind, "hs_8Question", n, topic=topic, title=title, parent=head
                )
                head.children.append(q)
                out.append(q)
            for _ in range(r.choices((0, 1, 2), (35, 45, 20))[0]):
                tag = self.g._weighted(STATEMENT_TAGS)
                out.append(self.section(house, chamber, "statement", tag, self.lognormal(35, 0.5)))
        for _ in range(r.choices((1, 2, 3), (45, 40, 15))[0] + (wd == 4)):
            tag = self.g._weighted(COMMONS_TAGS)
            out.append(self.section(house, chamber, "business", tag, self.lognormal(90, 0.9)))
        n = self.lognormal(7, 0.4, 2, 30)
        out.append(self.section(house, chamber, "adjournment", "hs_2cGenericHdg", n))
        if wd < 4:
            for _ in range((2, 5, 5, 3)[wd] + r.randint(0, 1)):
                n = self.lognormal(18, 0.8, 2, 250)
                out.append(self.section(house, "Westminster Hall", "wh", "hs_2cWestHallDebate", n))
            for _ in range(r.randint(3, 12)):
                out.append(self.section(house, WRITTEN, "written", "hs_2cStatement", 1))
        return out

    def plan_lords(self, day: date) -> list[Section]:
        r, out, wd = self.rng, [], day.weekday()
        house, chamber = "Lords", "Lords Chamber"
        for _ in range(4 if wd < 4 else 0):
            out.append(
                self.section(house, chamber, "lords_q", "NewDebate", self.lognormal(11, 0.3))
            )
        for _ in range(r.choices((1, 2, 3, 4), (20, 40, 30, 10))[0]):
            n = self.lognormal(45, 0.9, 2, 400)
            out.append(self.section(house, chamber, "business", "NewDebate", n))
        if wd in (0, 2) and r.random() < 0.6:
            for _ in range(r.randint(2, 4)):
                n = self.lognormal(15, 0.7, 2, 150)
                out.append(self.section(house, "Grand Committee", "business", "NewDebate", n))
        if wd < 4:
            for _ in range(r.randint(2, 8)):
                out.append(self.section(house, WRITTEN, "written", "hs_2cStatement", 1))
        return out

    def trim(self, sections: list[Section], budget: int | None) -> list[Section]:
        """Cut the plan so that its contributions do not exceed `budget`."""
        if budget is None:
            return sections
        kept, total = [], 0
        for s in sections:
            if total >= budget:
                break
            s.n = min(s.n, budget - total)
            total += s.n
            kept.append(s)
        for s in kept:  # a container keeps only the children that survived
            s.children = [c for c in s.children if c in kept]
        return [s for s in kept if s.kind != "container" or s.children]

    def link(self, sections: list[Section], day: date) -> None:
        """Ids, orders and Previous/Next chains (per location) once the plan is final."""
        r = self.rng
        chains: dict[str, Section] = {}
        for order, s in enumerate(sections, 1):
            s.order = order
            s.id = self.next_id("section")
            s.ext_id = (
                f"{day:%y%m%d}{r.randint(10**7, 10**8 - 1)}" if r.random() < 0.005 else guid(r)
            )
            lag = self.lognormal(15, 1.3, 0, 400)
            stamp = f"{day + timedelta(days=lag)}T{clock(r.randint(0, 86399))}"
            digits = r.choices((3, 2, 1), (143, 53, 6))[0]
            s.updated = f"{stamp}.{r.randint(1, 10**digits - 1):0{digits}d}"
            before = chains.get(s.location)
            if before is not None:
                before.next, s.prev = s, before
            chains[s.location] = s

    # ---- people and text

    def person_id(self, p: Person) -> int:
        return self.member_ids[id(p)]

    def cast(self, s: Section, n: int) -> Cast:
        """The speakers, minister and chair of one section: about n^0.8 speakers for n turns."""
        r = self.rng
        pool_people = self.g.peers if s.house == "Lords" else self.g.mps
        k = max(2, min(len(pool_people) - 2, round(n**0.8 * r.uniform(0.8, 1.2))))
        people = r.sample(pool_people, k + 2)
        minister, chair, speakers = people[0], people[1], people[2:]
        stem = s.dept.replace("Department for ", "").replace("Department of ", "")
        portfolio = r.choice(PORTFOLIOS[s.topic["dept"]])
        if s.house == "Lords":
            office = f"The Minister of State, {s.dept}"
            chair_display = "The Deputy Speaker" if r.random() < 0.6 else "The Lord Speaker"
        else:
            office = r.choice(
                (
                    f"The Secretary of State for {stem}",
                    f"The Minister for {portfolio}",
                    f"The Parliamentary Under-Secretary of State for {stem}",
                )
            )
            if s.location == "Westminster Hall":
                chair_display = f"{chair.name} (in the Chair)"
            else:
                deputy = "Mr Deputy Speaker" if chair.male else "Madam Deputy Speaker"
                chair_display = f"{deputy} ({chair.name})"
        return Cast(speakers, minister, chair, office, chair_display)

    def display(self, p: Person, house: str) -> str:
        if house == "Lords":
            return f"{p.name} ({p.party})" if self.rng.random() < 0.7 else p.name
        if self.rng.random() < 0.3:  # A: 91/306 bare
            return p.name
        return f"{p.name} ({p.constituency}) ({p.party})"

    def words(self, scale: float = 1.0) -> int:
        n = round(self.rng.lognormvariate(math.log(WORDS_MEDIAN * scale), WORDS_SIGMA))
        return max(WORDS_MIN, min(WORDS_MAX, n))

    def text(self, words: int, lords: bool, opener: str | None = None) -> list[str]:
        """Paragraphs of escaped sentences, about `words` long (module docstring)."""
        g = self.g
        paras: list[str] = []
        cur: list[str] = [opener] if opener else []
        total = cur_words = len(opener.split()) if opener else 0
        target = words if words < SINGLE_PARAGRAPH_UNDER else self.lognormal(90, 0.5, 25, 400)
        while total < words:
            sentence = g.sentence(lords, not paras and not cur)
            n = sentence.count(" ") + 1
            cur.append(sentence)
            total += n
            cur_words += n
            if cur_words >= target and total < words:
                paras.append(escape(" ".join(cur)))
                cur, cur_words = [], 0
                target = self.lognormal(90, 0.5, 25, 400)
        if cur:
            paras.append(escape(" ".join(cur)))
        self.stats.words[min(total, WORDS_MAX) // 10 * 10] += 1
        return paras

    def markup(self, paras: list[str], day: date) -> list[str]:
        """Occasional <em> and cross-references (module docstring: A)."""
        r, m = self.rng, self.stats.markup
        if r.random() < 0.06:
            i = r.randrange(len(paras))
            if r.random() < 0.5:
                paras[i] += " " + r.choice(STAGE_DIRECTIONS)
            else:
                paras[i] = f"As the <em>{r.choice(PUBLICATIONS)} </em>reported, " + paras[i]
            m["em"] += 1
        if r.random() < 0.013:
            vol, col = r.randint(700, 800), r.randint(1, 1200)
            when = f"{r.randint(1, 28)} {r.choice(MONTHS)} {day.year - 1}"
            paras[-1] += (
                f'—<span id="vol{vol}_col{col}" class="cross-reference" data-house-id="1" '
                f'data-column-number="{col}" data-volume-number="{vol}">[<em>Official Report</em>,'
                f" {when}; Vol. {vol}, c. {col}.]</span>"
            )
            m["cross_reference"] += 1
        return paras

    def place_columns(self, house: str, paras: list[str]) -> tuple[list[str], str]:
        """Insert a column-number span wherever the running word count of the house crosses a
        column (before any other markup, so a span never splits a tag); returns the paragraphs
        and the HansardSection letter code of the columns covered."""
        state = self.col_state[house]  # [column, volume, words into the column]
        first = state[0]
        out = []
        for para in paras:
            words = para.split(" ")
            pieces, pos = [], 0
            while len(words) - pos > WORDS_PER_COLUMN - state[2]:
                cut = pos + WORDS_PER_COLUMN - state[2]
                pieces.append(" ".join(words[pos:cut]))
                state[0], state[2] = state[0] + 1, 0
                col = state[0]
                pieces.append(
                    f'<span id="{col}" class="column-number" data-column-number="{col}"></span>'
                )
                pos = cut
            pieces.append(" ".join(words[pos:]))
            state[2] += len(words) - pos
            out.append(" ".join(x for x in pieces if x))
        if state[0] != first:
            self.stats.markup["column_span_items"] += 1
        return out, f"{code(first // 3)}-{code(state[0] // 3 + 1)}"

    # ---- writing a house-day

    def item(
        self,
        s: Section,
        member: Person | None,
        display: str | None,
        value: str,
        tag: str,
        item_type: str = "Contribution",
    ) -> dict[str, Any]:
        """A `DebateItem` (keys in Swagger order); Timecode, HansardSection, UIN set later."""
        return {
            "ItemType": item_type,
            "ItemId": self.next_id("item"),
            "MemberId": self.person_id(member) if member else None,
            "AttributedTo": display,
            "Value": value,
            "OrderInSection": len(s.items) + 1,
            "Timecode": None,
            "ExternalId": guid(self.rng),
            "HRSTag": tag,
            "HansardSection": None,
            "UIN": None,
            "IsReiteration": False,
        }

    def turn(self, s: Section, i: int, cast: Cast) -> Turn:
        """Who speaks at turn `i` of a section, how long, and how it opens."""
        r = self.rng
        questions = s.kind in ("question", "topical", "lords_q")
        as_minister = Turn(cast.minister, f"{cast.office} ({cast.minister.name})")
        if s.kind == "written":
            return Turn(as_minister.who, as_minister.display, 2.5)
        if i == 0:
            if s.kind in ("statement", "business") and s.house == "Commons":
                return Turn(as_minister.who, as_minister.display, 3.0)
            who = cast.speakers[0]
            turn = Turn(who, self.display(who, s.house))
            aim = r.choice(s.topic["aims"])
            if s.kind == "question":
                pronoun = r.choice(("his", "her"))
                turn.question = f"What steps {pronoun} Department is taking to {aim}."
            elif s.kind == "lords_q":
                turn.opener = (
                    f"To ask His Majesty’s Government what steps they are taking to {aim}."
                )
                turn.scale = 0.01
            return turn
        roll = r.random()
        if questions and i % 2 == 1:
            return Turn(as_minister.who, as_minister.display, 0.9)
        if roll < 0.05 and not questions:
            return Turn(cast.chair, cast.chair_display, chair=True)
        if roll < 0.32 and s.kind != "adjournment" and not questions:
            return Turn(as_minister.who, as_minister.display, 1.3)
        who = r.choice(cast.speakers)
        turn = Turn(who, self.display(who, s.house))
        if questions:
            turn.scale = 0.5  # supplementaries
        elif r.random() < 0.3:
            turn.scale = 0.45  # an intervention
        return turn

    def value(self, s: Section, day: date, turn: Turn, cast: Cast) -> tuple[str, str]:
        """(Value / ContributionTextFull, HansardSection) of one turn."""
        g, r = self.g, self.rng
        lords = s.house == "Lords"
        if turn.chair:
            g.cur_name = r.choice(cast.speakers).name
            paras = [escape(g.fill(r.choice(C_LORDS_CHAIR if lords else C_CHAIR)))]
        elif turn.question:
            paras = [turn.question]
        else:
            paras = self.text(self.words(turn.scale), lords, turn.opener)
        paras, hansard_section = self.place_columns(s.house, paras)
        if not turn.chair and not turn.question:
            paras = self.markup(paras, day)
        value = "\r\n\r\n".join(paras)
        if turn.question:
            number = s.order - (s.parent.order if s.parent else 0)
            value = (
                f'<Question HRSContentId="{{{turn.ext_id}}}">{number}. <QuestionText'
                f' HRSContentId="{{{guid(r)}}}">{value}</QuestionText> </Question>'
            )
            self.stats.markup["question"] += 1
        if "&amp;" in value:
            self.stats.markup["amp"] += 1
        return value, hansard_section

    def fill(self, s: Section, day: date, t0: int, searched: list[dict]) -> int:
        """Items of one section; its search items are appended to `searched`. Returns the clock
        (seconds) at its end."""
        r = self.rng
        self.g.topic = s.topic
        cast = self.cast(s, s.n)
        seen: set[int] = set()
        t = t0
        if s.location == "Westminster Hall":
            chair_line = f"[{cast.chair.name} <em>in the Chair</em>]"
            s.items.append(self.item(s, None, None, chair_line, "hs_76fChair"))
        for i in range(s.n):
            if i and i % 15 == 0 and s.kind != "written":
                hh, mm = divmod(t // 60 % 1440, 60)
                stamp = f"{(hh - 1) % 12 + 1}.{mm:02d} {'am' if hh < 12 else 'pm'}"
                s.items.append(self.item(s, None, None, stamp, "hs_Timestamp", "Timestamp"))
            turn = self.turn(s, i, cast)
            if turn.question:
                turn.ext_id = guid(r)
            seen.add(id(turn.who))
            value, hansard_section = self.value(s, day, turn, cast)
            t += r.randint(30, 420)
            item = self.item(
                s, turn.who, turn.display, value, "Question" if turn.question else "hs_Para"
            )
            item["Timecode"] = f"{day}T{clock(t)}" if r.random() >= 0.4 else None
            item["HansardSection"] = hansard_section
            if turn.question:
                item["ExternalId"], item["UIN"] = turn.ext_id, str(r.randint(10_000, 999_999))
            s.items.append(item)
            searched.append(self.search_item(s, day, item, turn.who))
        if s.kind == "business" and s.house == "Commons" and r.random() < 0.7:
            for line in ("Question put and agreed to.", "Resolved,"):
                s.items.append(self.item(s, None, None, line, "hs_Procedure"))
        self.stats.per_section[s.n] += 1
        self.stats.speakers[len(seen)] += 1
        return t

    @staticmethod
    def search_item(s: Section, day: date, item: dict, who: Person) -> dict[str, Any]:
        """The `SearchReferencesItem` of one contribution (keys in Swagger order)."""
        return {
            "MemberName": who.name,
            "MemberId": item["MemberId"],
            "AttributedTo": item["AttributedTo"],
            "ItemId": item["ItemId"],
            "ContributionExtId": item["ExternalId"],
            "ContributionText": preview(item["Value"], item["HRSTag"] == "Question"),
            "ContributionTextFull": item["Value"],
            "HRSTag": item["HRSTag"],
            "HansardSection": item["HansardSection"],
            "Timecode": item["Timecode"],
            "DebateSection": s.title,
            "DebateSectionId": s.id,
            "DebateSectionExtId": s.ext_id,
            "SittingDate": f"{day}T00:00:00",
            "Section": s.location,
            "House": s.house,
            "OrderInDebateSection": item["OrderInSection"],
            "DebateSectionOrder": s.order,
            "Rank": 0,
        }

    def overview(self, s: Section, day: date) -> dict[str, Any]:
        def link(other: Section | None, key: str) -> str:
            if other is None:
                return ""
            return other.ext_id if key == "ExtId" else other.title

        type_id = {"Westminster Hall": 2, "Written Statements": 3}.get(s.location, 1)
        return {
            "Id": s.id,
            "ExtId": s.ext_id,
            "Title": s.title,
            "HRSTag": s.tag,
            "Date": f"{day}T00:00:00",
            "Location": s.location,
            "House": s.house,
            "Source": 2,
            "VolumeNo": self.columns_volume(s.house),
            "ContentLastUpdated": s.updated,
            "DebateTypeId": type_id,
            "SectionType": 1,
            "NextDebateExtId": link(s.next, "ExtId"),
            "NextDebateTitle": link(s.next, "Title"),
            "PreviousDebateExtId": link(s.prev, "ExtId"),
            "PreviousDebateTitle": link(s.prev, "Title"),
        }

    def columns_volume(self, house: str) -> int:
        return self.col_state[house][1]

    def navigator(self, sections: list[Section], location: str, day: date) -> list[dict]:
        """The location's heading tree as flat SectionTreeItems (hansard-api.md §2)."""
        r = self.rng
        rows: list[dict] = []
        top = self.next_id("tree")
        rows.append(self.tree_row(top, location, None, guid(r), None, 1))
        oral = None
        ids: dict[int, int] = {}
        for s in sections:
            if s.location != location:
                continue
            parent = top
            if s.kind == "container":
                if oral is None:
                    oral = self.next_id("tree")
                    rows.append(
                        self.tree_row(
                            oral,
                            "Oral Answers to Questions",
                            top,
                            guid(r),
                            "hs_3OralAnswers",
                            len(rows) + 1,
                        )
                    )
                parent = oral
            elif s.parent is not None:
                parent = ids[id(s.parent)]
            ids[id(s)] = self.next_id("tree")
            rows.append(self.tree_row(ids[id(s)], s.title, parent, s.ext_id, s.tag, len(rows) + 1))
        return rows

    @staticmethod
    def tree_row(
        id_: int, title: str, parent: int | None, ext_id: str, tag: str | None, sort: int
    ) -> dict[str, Any]:
        return {
            "Id": id_,
            "Title": title,
            "ParentId": parent,
            "SortOrder": sort,
            "ExternalId": ext_id,
            "HRSTag": tag,
            "HansardSection": None,
            "Timecode": None,
        }

    def house_day(self, house: str, day: date, budget: int | None) -> int:
        """Plan, fill and write one house-day; returns its contributions."""
        r, sink = self.rng, self.sink
        sections = self.trim(self.plan(house, day), budget)
        if not sections:
            return 0
        self.link(sections, day)
        self.col_state[house][2] = r.randint(0, WORDS_PER_COLUMN - 1)
        start = {
            "Commons": (
                14 * 3600 + 1800,
                11 * 3600 + 1800,
                11 * 3600 + 1800,
                9 * 3600 + 1800,
                9 * 3600 + 1800,
            ),
            "Lords": (14 * 3600 + 1800, 14 * 3600 + 1800, 15 * 3600, 11 * 3600, 10 * 3600),
        }[house][day.weekday()]
        spoken: list[dict] = []
        written: list[dict] = []
        navigators = {
            loc: self.navigator(sections, loc, day)
            for loc in dict.fromkeys(s.location for s in sections)
        }
        clocks: dict[str, int] = {}
        year = f"{day.year:04d}"
        for s in sections:
            if s.kind == "container":
                continue
            t0 = clocks.get(
                s.location, 9 * 3600 + 1800 if s.location != f"{house} Chamber" else start
            )
            clocks[s.location] = self.fill(s, day, t0, written if s.kind == "written" else spoken)
            body = {
                "Overview": self.overview(s, day),
                "Navigator": navigators[s.location],
                "Items": s.items,
                "ChildDebates": [],
            }
            rel = sink.body(f"bodies/debates/{house}/{year}/{s.ext_id}.json", body, "debates")
            sink.route(debate_path(s.ext_id), None, rel)
            self.stats.sections += 1
        for s in sections:  # containers: Items repeat the children's, ChildDebates whole
            if s.kind != "container":
                continue
            children = [
                {
                    "Overview": self.overview(c, day),
                    "Navigator": navigators[c.location],
                    "Items": c.items,
                    "ChildDebates": [],
                }
                for c in s.children
            ]
            body = {
                "Overview": self.overview(s, day),
                "Navigator": navigators[s.location],
                "Items": [i for c in s.children for i in c.items],
                "ChildDebates": children,
            }
            rel = sink.body(f"bodies/containers/{house}/{year}/{s.ext_id}.json", body, "containers")
            sink.route(debate_path(s.ext_id), None, rel)
            self.stats.containers += 1
        for s in sections:
            s.items = []  # let the day go
        counts = {"Spoken": len(spoken), "Written": len(written)}
        for kind, items in (("Spoken", spoken), ("Written", written)):
            for skip in range(0, max(len(items), 1), PAGE_SIZE):
                page = search_envelope(items[skip : skip + PAGE_SIZE], len(items), counts)
                rel = sink.body(
                    f"bodies/search/{house}/{year}/{day}-{kind.lower()}-{skip:05d}.json",
                    page,
                    "search",
                )
                sink.route(contribution_path(kind), contribution_query(house, str(day), skip), rel)
        self.stats.contributions += len(spoken) + len(written)
        self.stats.written += len(written)
        self.stats.house_days += 1
        self.months.setdefault((house, day.year, day.month), []).append(str(day))
        state = self.col_state[house]
        if state[0] > COLUMNS_PER_VOLUME:
            state[0], state[1] = 1, state[1] + 1
        else:
            state[0] += 1  # each day starts on a new column
        return len(spoken) + len(written)

    def sitting_date(
        self, day: date, houses: tuple[str, ...], calendar: Random, limit: int | None
    ) -> bool:
        """Every house sitting on `day` (the calendar draws from its own Random); True when
        anything was written."""
        sat = False
        for house in houses:
            if not sits(day, house, calendar):
                continue
            budget = None if limit is None else limit - self.stats.contributions
            if budget is not None and budget <= 0:
                break
            sat = bool(self.house_day(house, day, budget)) or sat
        self.stats.sitting_dates += sat
        return sat

    def calendar(self, houses: tuple[str, ...], year: int, month: int) -> None:
        for house in houses:
            dates = self.months.pop((house, year, month), [])
            query = calendar_query(year, month, house)
            if not dates:
                self.sink.route("/overview/calendar.json", query, None, [])
                continue
            body = [calendar_item(house, d) for d in dates]
            rel = self.sink.body(
                f"bodies/calendar/{house}/{year:04d}-{month:02d}.json", body, "calendar"
            )
            self.sink.route("/overview/calendar.json", query, rel)


def generate(  # noqa: PLR0913
    out: Path,
    mb: float | None = None,
    seed: int = 1,
    quiet: bool = False,
    *,
    contributions: int | None = None,
    days: int | None = None,
    houses: tuple[str, ...] = ("Commons", "Lords"),
    start: date = START,
) -> dict:
    """Write the recordings into `out`; stop at `contributions`, `days` sitting dates or `mb`
    megabytes of bodies, whichever is given (exactly one)."""
    if sum(x is not None for x in (mb, contributions, days)) != 1:
        raise ValueError("give exactly one of mb, contributions, days")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    corpus = ApiCorpus(out, seed)
    calendar_rng = Random(seed * 7919 + 3)
    st = corpus.stats
    day = start
    first: date | None = None
    last = start
    month = (day.year, day.month)

    def done() -> bool:
        if contributions is not None:
            return st.contributions >= contributions
        if days is not None:
            return st.sitting_dates >= days
        return sum(st.bytes.values()) >= (mb or 0) * MB

    while not done():
        if (day.year, day.month) != month:
            corpus.calendar(houses, *month)
            month = (day.year, day.month)
        if corpus.sitting_date(day, houses, calendar_rng, contributions):
            first, last = first or day, day
            if not quiet and st.sitting_dates % 50 == 0:
                print(
                    f"  {day}: {st.sitting_dates} sitting dates, {st.contributions:,} "
                    f"contributions, {sum(st.bytes.values()) / MB:,.0f} MB",
                    file=sys.stderr,
                )
        day += timedelta(days=1)
    corpus.calendar(houses, *month)
    corpus.sink.close()
    meta = {
        "generator": "bench/generate_api.py",
        "seed": seed,
        "mb_target": mb,
        "contributions_target": contributions,
        "days_target": days,
        "houses": list(houses),
        "first_day": str(first or start),
        "last_day": str(last),
        **st.summary(),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "GENERATED.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def _hist_quantiles(hist: Counter) -> dict[str, int]:
    n, acc, out = sum(hist.values()), 0, {}
    for bucket in sorted(hist):
        acc += hist[bucket]
        for p in (0.1, 0.5, 0.9, 0.99):
            key = f"p{round(p * 100)}"
            if key not in out and acc >= p * n:
                out[key] = bucket
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--contributions", type=int, help="stop at exactly this many")
    size.add_argument("--days", type=int, help="this many sitting dates")
    size.add_argument("--mb", type=float, help="about this many MB of bodies (1 MB = 1e6 B)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--house", action="append", choices=("Commons", "Lords"))
    ap.add_argument("--start", type=date.fromisoformat, default=START)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    meta = generate(
        args.out_dir,
        args.mb,
        args.seed,
        args.quiet,
        contributions=args.contributions,
        days=args.days,
        houses=tuple(args.house or ("Commons", "Lords")),
        start=args.start,
    )
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate ParlParse (TheyWorkForYou) XML sitting days for benchmarks, in the modern format and
in our own words (every word comes from the vocabulary below; corpus text is never copied).

For each invented sitting date: the Commons Chamber (`debates<date>a.xml`: oral questions
under an `oral-heading`, then major and minor headings of debates, divisions with
`<mplist>`s of `<mpname person_id vote [teller] [proxy]>`), Westminster Hall on Monday to
Thursday (`westminster<date>a.xml`: minor headings only, `westminhall` gids) and the Lords on
most Commons days (`daylord<date>a.xml`: `lords` gids, `<lordlist vote="content|not-content">`
of `<lord person_id vote [teller]>`, `<divisioncount content not-content/>`). Every file is
`<publicwhip scraperversion="a" latest="yes">`, UTF-8; speeches carry `person_id`,
`speakername`, a Hansard `type`, `colnum`, `time`, `url=""` and `<p pid>` paragraphs. Only
markup that transforms/twfy_xml/parse.py accepts is written, so `hansard ingest twfy` over the
folder ingests every file with no rejects.

Size: exactly `--contributions N` speeches (every `<speech>` is one published contribution),
`--days N` sitting dates, or about `--mb N` megabytes (the last file is cut short). Streaming:
one day file is built, written and dropped, so memory stays flat from one day to 7.6 million
contributions. Deterministic from --seed.

    uv run python bench/generate_twfy.py OUT --contributions 100000 --seed 1
    uv run python bench/generate_twfy.py OUT --days 3
    uv run python bench/generate_twfy.py OUT --mb 100            # as bench_twfy.py uses it
    uv run hansard ingest twfy OUT

Distributions, measured (2026-11-28, a throwaway lxml script; the files were only read, never
copied) from shared/corpus/twfy/: C23 = debates2023-03-28d.xml (the modern, new-parser Commons
day: 467 speeches), C09 = debates2009-10-27d.xml (345), L09 = daylord2009-10-26a.xml (227),
W09 = westminster2009-10-27a.xml (125). "gen" = this generator, `--days 30 --seed 1` (84 files,
24,824 speeches). Percentiles p50 / p90 / p99.

  * speeches a day: C23 467, C09 345, L09 227, W09 125 -> a target drawn from normal(360, 60),
    normal(230, 50), normal(125, 30) and finished by the heading under way; gen C 455, L 275,
    W 144 a file.
  * headings a day (major / minor / oral): C23 13/33/1, C09 7/33/1, L09 10/3/0, W09 0/6/0 ->
    Commons Monday-Thursday open with an oral-questions block (oral-heading, a department's
    major heading, one minor heading a question), then major headings of 0-5 minor headings;
    Lords major headings (a quarter with a minor one); Westminster Hall minor headings only.
  * speeches per heading: C23 2 / 11 / 183, C09 4 / 28 / 66, L09 14 / 37 / 105, W09 18 / 52 /
    52 -> lognormal debates, medians 3, 14, 18 (sigma 1.7, 1.0, 0.8); gen C 4 / 12 / 109,
    L 15 / 49 / 104, W 19 / 56 / 105.
  * speakers per heading: C23 2 / 5 / 46, C09 3 / 15 / 22, L09 7 / 22 / 32, W09 6 / 9 / 9 -> a
    pool of ~n^0.72 members for n speeches plus the chair; gen C 3 / 6 / 31, L 6 / 17 / 29,
    W 8 / 17 / 29.
  * words per speech (tag-stripped): C23 81 / 447 / 1767, C09 78 / 523 / 1711, L09 131 / 673 /
    1825, W09 108 / 840 / 2113 -> "Start Speech" lognormal medians 200 / 240 / 230 (sigma 1.2,
    1.1, 1.2; 3..9000 words), shorter chair turns, interventions, questions and answers; gen
    C 72 / 492 / 2265, L 123 / 763 / 2584, W 107 / 767 / 3178.
  * words per paragraph: C23 37 / 129 / 187, C09 69 / 133 / 186, L09 55 / 144 / 209, W09 83 /
    151 / 204 -> lognormal median 60, sigma 0.7, at most 250; gen 48-51 / 118-127 / 245-250.
    Paragraphs per speech follow: C23 1 / 6 / 20, L09 2 / 9 / 28; gen C 2 / 7 / 32, L 2 / 11 / 36.
  * oral questions (`oral-qnum` on the speech, `qnum` on its first `<p>`): C23 26 (5.6 % of
    speeches), C09 25 (7.2 %), none in L09 / W09 -> 20-28 questions a Commons day (Mon-Thu),
    each a question, an answer and 0-4 supplementary/answer pairs; gen 5.0 %.
  * speech `type` (C23 only; the 2009 files have none): Start Answer 109, Start
    SupplementaryQuestion 87, Continuation Speech 70, none (the chair, procedure) 69, Start
    Intervention 53, Start Speech 33, Start Question 26, others 20 -> the same names by role.
  * no speaker (`nospeaker="true"`: procedure, "Several hon. Members" / "Noble Lords"): C23 6.6 %,
    C09 5.8 %, L09 6.6 %, W09 1.6 % -> gen C 4.7 %, L 7.1 %, W 1.3 %; one in eight is "rose—".
  * `<p>` class / pwmotiontext, share of paragraphs: C23 indent 11.9 % (of which motion text
    `pwmotiontext="yes"` 6.3 %), italic 0.25 %; C09 indent 8.4 %, italic 4.5 %; L09 pwmotiontext
    lines 6.3 %, unrecognized 6.6 %, quot 1.1 %, italic 8.5 %, indent 3.6 %; W09 indent 6.4 %,
    italic 0.9 % -> gen C indent+yes 6.2 %, indent 5.7 %, italic 1.2 %; L as L09; W as W09.
  * inline markup, share of speeches holding it: C23 honfriend `<phrase>` 10.9 % (1.5 a speech),
    date 6.0 %, standing-order 1.5 %, `<table>` 0.2 %; C09 honfriend 16.5 %, date 9.0 %, `<i>`
    7.2 %, standing-order 2.3 %, offrep 0.3 %, `<a href>` 0.3 %; L09 `<I>` 8.8 %, `<b>` 6.2 %,
    date 4.0 %, `<i>` 4.0 %, offrep 2.2 %, `<a>` 1.3 %; W09 honfriend 15 %, date 5.6 %, `<i>` 4 %,
    offrep 1.6 %, `<sup>` 0.8 % -> gen C honfriend 12.9 %, date 7.0 %, `<i>` 3.4 %,
    standing-order 1.7 %, offrep 0.3 %, `<a>` 0.3 %, table 0.2 %; L `<I>` 9.4 %, `<b>` 6.4 %,
    `<i>` 3.9 %, date 3.7 %, offrep 2.0 %, `<a>` 1.3 %; W as W09.
  * divisions a day: C23 5, C09 1, L09 4, W09 0 (one day each: a small sample) -> Poisson(3)
    Commons, Poisson(2.5) Lords, some after a debate and the rest together at the end of the
    day; gen over seeds 1-3: 2.0-3.1 (C), 2.6 (L).
  * voters per division: C23 551, 546, 547, 550, 549 (4 tellers, 12 proxies = 2.2 %); C09 473;
    L09 280, 268, 187, 183 (4 tellers) -> uniform 450-560 (C), 180-290 (L), the last two of
    each list tellers, 2.2 % of Commons votes by proxy.
  * share of Lords days: the corpus holds one day of each kind, so no calendar can be measured
    from it; the calendar is bench/generate_api.py's (Commons Monday to Thursday of sitting
    weeks and 30 % of Fridays; Lords on 92 % of Commons days and 10 % of Fridays; Westminster
    Hall Monday to Thursday) -> gen 26 of 84 files (31 %) and 29 % of speeches are Lords.

Not generated (accepted by the parser, but not wanted for a Chamber benchmark): written answers
and statements (`answers`, `lordswrans`, `ministerial`, `lordswms`), Public Bill Committees,
older versions with `gidredirect`, the old format (`speakerid`, 3-digit hours, HTML entities).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

MB = 1_000_000
START = date(2031, 1, 6)  # invented dates, a Monday
KINDS = ("debates", "westminster", "daylord")
RECESS_WEEKS = frozenset({1, 8, 14, 15, 22, 31, 32, 33, 34, 35, 36, 38, 39, 40, 52, 53})
WORDS_PER_COLUMN = 294  # bench/generate_api.py, from the API's column-number spans
WORDS = (
    "the a this that our their every further public local national regional proposed revised "
    "council budget scheme report review service hospital school road railway harbour library "
    "committee minister member department funding support housing energy water transport "
    "safety standards training evidence question answer measure policy programme guidance "
    "agreement framework constituency community business worker family pension tax grant "
    "inquiry consultation timetable amendment clause schedule provision account figure "
    "increase reduce improve consider deliver publish ensure protect invest examine confirm "
    "welcome raise address respond review explain support oppose accept reject recognise "
    "important significant serious clear urgent fair proper broad modest difficult simple "
    "today tomorrow recently already indeed certainly perhaps simply rightly carefully"
).split()
SYLLABLES = (
    "al an ar be ca da del el en fa ga ha il jo ka la li ma mo na ne or pa ra ri sa so ta to va wy"
).split()
HEADINGS = (
    "Transport Health Education Housing Energy Justice Treasury Defence Environment Trade".split()
)
MONTHS = "January February March April May June July August September October November December"
MONTHS_L = MONTHS.split()
STAGE = ("rose—", "indicated dissent.", "indicated assent.")
TELLER = ' teller="yes"'

# House parameters: (median, sigma) lognormals and per-speech markup shares (docstring table).
# "Start Speech" lengths; the generated mix (chair, interventions, questions) brings the
# medians of all speeches down to the measured ones.
SPEECH_WORDS = {"debates": (200, 1.2), "daylord": (240, 1.1), "westminster": (230, 1.2)}
CHAIR = {"debates": 0.14, "daylord": 0.05, "westminster": 0.12}  # share of speeches
PROCEDURE = {"debates": 0.06, "daylord": 0.066, "westminster": 0.016}
DAY_SPEECHES = {"debates": (360, 60), "daylord": (230, 50), "westminster": (125, 30)}
PER_HEADING = {"debates": (3, 1.7), "daylord": (14, 1.0), "westminster": (18, 0.8)}
PARA_WORDS, PARA_SIGMA, PARA_MAX = 60, 0.7, 250
MARKUP = {  # share of speeches holding each kind of inline markup
    "debates": {
        "honfriend": 0.13,
        "date": 0.07,
        "i": 0.035,
        "so": 0.018,
        "offrep": 0.003,
        "a": 0.003,
        "table": 0.002,
    },
    "westminster": {"honfriend": 0.15, "date": 0.056, "i": 0.04, "offrep": 0.016, "sup": 0.008},
    "daylord": {"I": 0.088, "b": 0.062, "date": 0.04, "i": 0.04, "offrep": 0.022, "a": 0.013},
}
P_CLASSES = {  # share of paragraphs: (class attr, pwmotiontext attr)
    "debates": ((0.063, "indent", "yes"), (0.06, "indent", None), (0.01, "italic", None)),
    "westminster": ((0.064, "indent", None), (0.009, "italic", None)),
    "daylord": (
        (0.063, None, "lines"),
        (0.066, None, "unrecognized"),
        (0.011, None, "quot"),
        (0.03, "indent", None),
        (0.05, "italic", None),
    ),
}
PREFIX = {"debates": "debate", "westminster": "westminhall", "daylord": "lords"}
START_TIME = {"debates": (14 * 60 + 30, 11 * 60 + 30, 11 * 60 + 30, 9 * 60 + 30, 9 * 60 + 30)}


def _part(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()


def _name(rng: random.Random) -> str:
    return f"{_part(rng, 2)} {_part(rng, rng.randint(2, 3))}"


def _lord(rng: random.Random) -> str:
    title = rng.choice(("Lord", "Lord", "Baroness", "Baroness", "Earl", "Viscount"))
    place = f" of {_part(rng, 3)}" if rng.random() < 0.6 else ""
    return f"{title} {_part(rng, rng.randint(2, 3))}{place}"


def _lognormal(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(median * math.exp(rng.gauss(0.0, sigma)))))


def sits(day: date, kind: str, rng: random.Random) -> bool:
    """The sitting calendar of bench/generate_api.py (see the docstring)."""
    if day.isocalendar().week in RECESS_WEEKS or day.weekday() >= 5:
        return False
    if kind == "debates":
        return day.weekday() < 4 or rng.random() < 0.3
    if kind == "westminster":
        return day.weekday() < 4
    return rng.random() < (0.92 if day.weekday() < 4 else 0.1)


class Budget:
    """What is left to write: speeches (exact) or bytes (approximate)."""

    def __init__(self, speeches: int | None, size: int | None) -> None:
        self.speeches, self.size = speeches, size

    def open(self, day_bytes: int) -> bool:
        if self.speeches is not None and self.speeches <= 0:
            return False
        return self.size is None or day_bytes < self.size


class Day:
    """One day file of one kind, built in memory (a day is at most a few MB) and written."""

    def __init__(  # noqa: PLR0913
        self,
        kind: str,
        day: date,
        rng: random.Random,
        people: list[tuple[str, str]],
        chair: tuple[str, str],
        budget: Budget,
        divnumber: int,
    ) -> None:
        self.kind, self.day, self.rng, self.people, self.chair = kind, day, rng, people, chair
        self.budget, self.divnumber = budget, divnumber
        self.gid_base = f"uk.org.publicwhip/{PREFIX[kind]}/{day.isoformat()}a"
        self.col, self.n, self.words_in_col = rng.randint(1, 900), -1, 0
        if kind == "westminster":
            self.col = 1
        self.clock = -1  # minutes after midnight; -1 prints time=""
        self.out: list[str] = ['<publicwhip scraperversion="a" latest="yes">\n']
        self.size = len(self.out[0])
        self.speeches = self.divisions = self.votes = self.headings = 0
        self.markup: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing

    def open(self) -> bool:
        return self.budget.open(self.size)

    def gid(self) -> str:
        self.n += 1
        return f"{self.gid_base}.{self.col}.{self.n}"

    def advance(self, words: int) -> None:
        self.words_in_col += words
        if self.words_in_col >= WORDS_PER_COLUMN:
            self.col += self.words_in_col // WORDS_PER_COLUMN
            self.words_in_col %= WORDS_PER_COLUMN
            self.n = -1
        if self.clock >= 0:
            self.clock += words // 150  # about 150 words a minute

    def time(self) -> str:
        if self.clock < 0:
            return ""
        return f"{self.clock // 60:02d}:{self.clock % 60:02d}:00"

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text.encode())

    def words(self, n: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=n))

    def sentence_text(self, n: int) -> str:
        """`n` words as sentences of 6-30 words, escaped."""
        rng, parts = self.rng, []
        while n > 0:
            k = min(n, max(3, int(rng.lognormvariate(2.6, 0.45))))
            n -= k
            parts.append(self.words(k).capitalize() + rng.choice((".", ".", ".", "?", ",")))
        return " ".join(parts)

    def heading(self, tag: str, title: str) -> str:
        gid = self.gid()
        self.emit(
            f'<{tag} id="{gid}" nospeaker="true" colnum="{self.col}" time="{self.time()}" '
            f'url="">\n{escape(title)}\n</{tag}>\n'
        )
        self.headings += 1
        return gid

    def title(self) -> str:
        return self.words(self.rng.randint(2, 5)).title()

    # ------------------------------------------------------------------ text and markup

    def inline(self, kind: str) -> str:
        rng = self.rng
        self.markup[kind] = self.markup.get(kind, 0) + 1
        if kind == "honfriend":
            person, name = rng.choice(self.people)
            return (
                f'the hon. Member for <phrase class="honfriend" person_id="{person}" '
                f'name="{name}">{_part(rng, 3)} {rng.choice(("North", "South", "Vale"))}</phrase>'
            )
        if kind == "date":
            d = self.day - timedelta(days=rng.randint(1, 400))
            return f'on <phrase class="date" code="">{d.day} {MONTHS_L[d.month - 1]}</phrase>'
        if kind == "so":
            n = rng.randint(9, 160)
            so = f'<phrase class="standing-order" code="{n}">Standing Order No. {n}</phrase>'
            return f"under {so}"
        if kind == "offrep":
            d = self.day - timedelta(days=rng.randint(10, 900))
            c = rng.randint(1, 1400)
            return (
                f'(<phrase class="offrep" id="{PREFIX[self.kind]}/{d.isoformat()}.{c}">'
                f"Official Report, {d.day} {MONTHS_L[d.month - 1]} {d.year}; col. {c}</phrase>)"
            )
        if kind == "a":
            slug = "-".join(rng.choices(WORDS, k=3))
            return f'(<a href="https://www.example.org/{slug}">www.example.org/{slug}</a>)'
        if kind in ("i", "I", "b"):
            if kind == "i" and rng.random() < 0.5:
                return "<i>[</i><i>Interruption.</i><i>]</i>"
            return f"<{kind}>{self.words(rng.randint(2, 6)).capitalize()}</{kind}>"
        if kind == "sup":
            return f"{rng.randint(2, 9)}<sup>nd</sup>"
        raise ValueError(kind)

    def table(self) -> str:
        self.markup["table"] = self.markup.get("table", 0) + 1
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{self.words(self.rng.randint(1, 3))}</td>" for _ in range(3))
            + "</tr>\n"
            for _ in range(self.rng.randint(2, 8))
        )
        return f"<table><tbody>\n{rows}</tbody></table>\n"

    def body(self, words: int, qnum: str | None = None) -> str:
        """The `<p>` paragraphs of one speech of about `words` words, with its markup."""
        rng = self.rng
        sizes = []
        while words > 0:
            k = _lognormal(rng, PARA_WORDS, PARA_SIGMA, 3, PARA_MAX)
            sizes.append(min(k, words) if words - k > 3 else words)
            words -= sizes[-1]
        texts = [self.sentence_text(k) for k in sizes]
        table = False
        for kind, share in MARKUP[self.kind].items():
            if rng.random() >= share:
                continue
            if kind == "table":
                table = True
                continue
            for _ in range(2 if kind == "honfriend" and rng.random() < 0.5 else 1):
                i = rng.randrange(len(texts))
                texts[i] = f"{texts[i]} {self.inline(kind)}."
        out = []
        for i, text in enumerate(texts, 1):
            attrs = f' pid="a{self.col}.{self.n}/{i}"'
            if i == 1 and qnum:
                attrs += f' qnum="{qnum}"'
            else:
                roll = rng.random()
                for share, cls, motion in P_CLASSES[self.kind]:
                    if roll < share:
                        attrs += f' class="{cls}"' if cls else ""
                        attrs += f' pwmotiontext="{motion}"' if motion else ""
                        break
                    roll -= share
            out.append(f"<p{attrs}>{text}</p>\n")
        if table:
            out.append(self.table())
        return "".join(out)

    # ------------------------------------------------------------------ items

    def speech(
        self,
        who: tuple[str, str] | None,
        kind: str | None,
        words: int | None = None,
        extra: str = "",
        qnum: str | None = None,
    ) -> bool:
        """One `<speech>`; False (nothing written) when the budget is spent."""
        if not self.open():
            return False
        if words is None:
            median, sigma = SPEECH_WORDS[self.kind]
            words = _lognormal(self.rng, median, sigma, 3, 9000)
        gid = self.gid()
        if who is None:
            head = ' nospeaker="true"'
        else:
            head = f' speakername="{escape(who[1])}"'
            head += f' type="{kind}"' if kind else ""
            head += f' person_id="{who[0]}"'
        body = self.body(words, qnum)
        self.emit(
            f'<speech id="{gid}"{head} colnum="{self.col}" time="{self.time()}" url=""{extra}>\n'
            f"{body}</speech>\n"
        )
        self.speeches += 1
        if self.budget.speeches is not None:
            self.budget.speeches -= 1
        self.advance(words)
        return True

    def procedure(self) -> bool:
        if not self.open():
            return False
        if self.rng.random() < 0.125:
            gid = self.gid()
            who = "Noble Lords" if self.kind == "daylord" else "Several hon. Members"
            self.emit(
                f'<speech id="{gid}" speakername="{who}" nospeaker="true" '
                f'colnum="{self.col}" time="{self.time()}" url="">\n'
                f'<p pid="a{self.col}.{self.n}/1" class="italic">{self.rng.choice(STAGE)}</p>\n'
                "</speech>\n"
            )
            self.speeches += 1
            if self.budget.speeches is not None:
                self.budget.speeches -= 1
            return True
        return self.speech(None, None, self.rng.randint(4, 30))

    def debate(self, n: int, lead: tuple[str, str] | None = None) -> None:
        """`n` speeches under the current heading: a pool of ~n^0.72 speakers, the chair now
        and then, interventions and continuations, procedural text ~6 %."""
        rng = self.rng
        pool = rng.sample(self.people, max(1, min(len(self.people), round(n**0.72))))
        lead = lead or pool[0]
        last = None
        for i in range(n):
            roll = rng.random()
            if roll < PROCEDURE[self.kind]:
                ok = self.procedure()
            elif roll < PROCEDURE[self.kind] + CHAIR[self.kind]:
                ok = self.speech(self.chair, None, rng.randint(5, 60))
            elif i == 0:
                ok = self.speech(lead, "Start Speech")
            elif last is not None and roll < 0.34:
                ok = self.speech(last, "Continuation Speech")
            elif roll < 0.52:
                who = rng.choice(pool)
                ok = self.speech(who, "Start Intervention", _lognormal(rng, 40, 0.6, 5, 200))
                last = None if who == lead else lead
                continue
            else:
                ok = self.speech(rng.choice(pool), "Start Speech")
            if not ok:
                return

    def oral_questions(self) -> None:
        rng = self.rng
        minister = rng.choice(self.people)
        if not self.open():
            return
        self.heading("oral-heading", "Oral Answers to Questions")
        self.heading("major-heading", rng.choice(HEADINGS))
        if not self.procedure():
            return
        for q in range(1, rng.randint(20, 28) + 1):
            if not self.open():
                return
            self.heading("minor-heading", self.title())
            asker = rng.choice(self.people)
            uin = str(900000 + rng.randrange(100000))
            extra = f' oral-qnum="{q}"'
            if not self.speech(asker, "Start Question", rng.randint(8, 40), extra, uin):
                return
            self.speech(minister, "Start Answer", _lognormal(rng, 90, 0.6, 10, 400))
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
                asker = rng.choice(self.people)
                if not self.speech(asker, "Start SupplementaryQuestion", rng.randint(20, 120)):
                    return
                self.speech(minister, "Start Answer", _lognormal(rng, 70, 0.6, 10, 300))

    def division(self, voters_range: tuple[int, int]) -> None:
        if not self.open():
            return
        rng = self.rng
        lords = self.kind == "daylord"
        voters = rng.sample(self.people, min(len(self.people), rng.randint(*voters_range)))
        cut = rng.randint(len(voters) // 3, 2 * len(voters) // 3)
        sides = ("content", "not-content") if lords else ("aye", "no")
        lst, tag = ("lordlist", "lord") if lords else ("mplist", "mpname")
        self.divnumber += 1
        lists = []
        for vote, people in zip(sides, (voters[:cut], voters[cut:]), strict=True):
            rows = []
            for i, (p, name) in enumerate(people):
                extra = TELLER if i >= len(people) - 2 else ""
                if not lords and rng.random() < 0.022:
                    extra += f' proxy="{rng.choice(self.people)[0]}"'
                rows.append(f'<{tag} person_id="{p}" vote="{vote}"{extra}>{name}</{tag}>\n')
            lists.append(f'<{lst} vote="{vote}">\n{"".join(rows)}</{lst}>\n')
        a, b = sides
        count = f'{a}="{cut - 2}" {b}="{len(voters) - cut - 2}"'
        self.emit(
            f'<division id="{self.gid()}" nospeaker="true" divdate="{self.day.isoformat()}" '
            f'divnumber="{self.divnumber}" colnum="{self.col}" time="{self.time()}">\n'
            f"<divisioncount {count}/>\n{''.join(lists)}</division>\n"
        )
        self.divisions += 1
        self.votes += len(voters)
        self.advance(WORDS_PER_COLUMN * 2)

    # ------------------------------------------------------------------ whole days

    def commons(self) -> None:
        rng, day = self.rng, self.day
        target = max(40, round(rng.gauss(*DAY_SPEECHES["debates"])))
        start = START_TIME["debates"][day.weekday()]
        if day.weekday() < 4:
            self.oral_questions()
        self.clock = start + 60
        divisions = _poisson(rng, 3.0)
        while self.speeches < target and self.open():
            self.heading("major-heading", rng.choice(HEADINGS))
            minors = rng.choice((0, 1, 1, 2, 2, 3, 4, 5))
            for _ in range(max(1, minors)):
                if not self.open():
                    break
                if minors:
                    self.heading("minor-heading", self.title())
                self.debate(_lognormal(rng, *PER_HEADING["debates"], 1, 400))
                if divisions and rng.random() < 0.3:
                    divisions -= 1
                    self.division((450, 560))
        for _ in range(divisions):  # the rest at the end of the day, one after another
            self.division((450, 560))

    def lords(self) -> None:
        rng = self.rng
        target = max(40, round(rng.gauss(*DAY_SPEECHES["daylord"])))
        self.clock = 14 * 60 + 30 if self.day.weekday() < 3 else 11 * 60
        self.procedure()
        divisions = _poisson(rng, 2.5)
        while self.speeches < target and self.open():
            self.heading("major-heading", self.title())
            if rng.random() < 0.25 and self.open():
                self.heading("minor-heading", self.title())
            self.debate(_lognormal(rng, *PER_HEADING["daylord"], 1, 300))
            if divisions and rng.random() < 0.4:
                divisions -= 1
                self.division((180, 290))
        for _ in range(divisions):
            self.division((180, 290))

    def westminster(self) -> None:
        rng = self.rng
        target = max(20, round(rng.gauss(*DAY_SPEECHES["westminster"])))
        self.clock = 9 * 60 + 30
        while self.speeches < target and self.open():
            self.heading("minor-heading", self.title())
            self.debate(_lognormal(rng, *PER_HEADING["westminster"], 2, 120))

    def text(self) -> str:
        return "".join(self.out) + "</publicwhip>\n"


def _poisson(rng: random.Random, mean: float) -> int:
    n, p, limit = 0, rng.random(), math.exp(-mean)
    while p > limit:
        n += 1
        p *= rng.random()
    return n


class Stats:
    """Counts over the files written (GENERATED.json)."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.totals = dict.fromkeys(("files", "bytes", "speeches", "divisions", "votes"), 0)
        self.totals["headings"] = 0
        self.by_kind = {k: {"files": 0, "speeches": 0, "bytes": 0} for k in kinds}
        self.markup: dict[str, int] = {}
        self.first: date | None = None
        self.last: date | None = None

    def add(self, d: Day, size: int) -> None:
        for k in ("speeches", "divisions", "votes", "headings"):
            self.totals[k] += getattr(d, k)
        for k, v in d.markup.items():
            self.markup[k] = self.markup.get(k, 0) + v
        self.totals["files"] += 1
        self.totals["bytes"] += size
        row = self.by_kind[d.kind]
        row["files"] += 1
        row["speeches"] += d.speeches
        row["bytes"] += size
        self.first = self.first or d.day
        self.last = d.day


def sitting_kinds(day: date, kinds: tuple[str, ...], calendar: random.Random) -> list[str]:
    """The day files of one date, in the order written (the calendar draws for all three
    kinds whatever `kinds` is, so a subset is the same days)."""
    sitting = [k for k in KINDS if sits(day, k, calendar)]
    if "daylord" in sitting and "debates" not in sitting:
        sitting.remove("daylord")
    return [k for k in sitting if k in kinds]


def generate(  # noqa: PLR0913
    out: Path,
    mb: float | None = None,
    seed: int = 1,
    quiet: bool = False,
    *,
    contributions: int | None = None,
    days: int | None = None,
    kinds: tuple[str, ...] = KINDS,
    start: date = START,
) -> dict:
    """Write day files into `out` until `contributions` speeches (exactly), `days` sitting
    dates, or `mb` megabytes (the last file cut short) — the first of these given, in that
    order; `kinds` picks the files (debates, westminster, daylord)."""
    if contributions is None and days is None and mb is None:
        raise ValueError("give one of contributions, days, mb")
    if not set(kinds) <= set(KINDS):
        raise ValueError(f"kinds must be among {KINDS}")
    sized_by = "contributions" if contributions is not None else "days" if days else "mb"
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = random.Random(seed)
    calendar = random.Random(seed * 7919 + 3)
    commons = [(f"uk.org.publicwhip/person/{90000 + i}", _name(rng)) for i in range(650)]
    lords = [(f"uk.org.publicwhip/person/{95000 + i}", _lord(rng)) for i in range(800)]
    chairs = {"debates": commons[0], "westminster": commons[1], "daylord": lords[0]}
    budget = Budget(
        contributions if sized_by == "contributions" else None,
        int((mb or 0) * MB) if sized_by == "mb" else None,
    )
    stats = Stats(kinds)
    divnumber = dict.fromkeys(KINDS, 0)
    day, dates = start, 0
    while budget.open(0) and (sized_by != "days" or dates < (days or 0)):
        sitting = sitting_kinds(day, kinds, calendar)
        dates += bool(sitting)
        for kind in sitting:
            if not budget.open(0):
                break
            people = lords if kind == "daylord" else commons
            d = Day(kind, day, rng, people, chairs[kind], budget, divnumber[kind])
            {"debates": d.commons, "daylord": d.lords, "westminster": d.westminster}[kind]()
            if not d.speeches:
                continue
            divnumber[kind] = d.divnumber
            data = d.text().encode()
            (out / f"{kind}{day.isoformat()}a.xml").write_bytes(data)
            if budget.size is not None:
                budget.size -= len(data)
            stats.add(d, len(data))
        day += timedelta(days=1)
    meta = {
        "mb_target": mb if sized_by == "mb" else None,
        "contributions_target": contributions,
        "days_target": days,
        "seed": seed,
        **stats.totals,
        "contributions": stats.totals["speeches"],
        "sitting_dates": dates,
        "first_day": stats.first.isoformat() if stats.first else None,
        "last_day": stats.last.isoformat() if stats.last else None,
        "by_kind": stats.by_kind,
        "markup": dict(sorted(stats.markup.items())),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "GENERATED.json").write_text(json.dumps(meta, indent=1))
    if not quiet:
        print(json.dumps(meta))
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--contributions", type=int, help="exactly this many speeches")
    size.add_argument("--days", type=int, help="this many sitting dates")
    size.add_argument("--mb", type=float, help="about this many MB (default 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kind", action="append", choices=KINDS, help="default: all three")
    ap.add_argument("--start", type=date.fromisoformat, default=START)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    mb = args.mb if args.mb is not None or args.contributions or args.days else 100.0
    generate(
        args.out,
        mb,
        args.seed,
        args.quiet,
        contributions=args.contributions,
        days=args.days,
        kinds=tuple(args.kind or KINDS),
        start=args.start,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

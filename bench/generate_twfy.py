"""Generate ParlParse-format Commons debates files for benchmarks (our own text, never corpus
prose): `debates<date>a.xml`, one per invented sitting day, in the modern format — a
<publicwhip> root, major and minor headings, speeches with person_id and <p pid> paragraphs,
and now and then a division with a count, tellers and <mpname> lists. Deterministic from the
seed; written file by file (streaming), so memory stays small at any size.

    uv run python bench/generate_twfy.py OUT_DIR --mb 100 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

MB = 1_000_000
TELLER = ' teller="yes"'
FILE_BYTES = 700_000  # about the size of a busy modern Commons day
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


def _name(rng: random.Random) -> str:
    def part(n: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()

    return f"{part(2)} {part(rng.randint(2, 3))}"


def _sentence(rng: random.Random) -> str:
    n = max(4, int(rng.lognormvariate(2.6, 0.45)))
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "—"))


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(1, 6)))


class Day:
    def __init__(self, day: date, rng: random.Random, members: list[tuple[str, str]]) -> None:
        self.day, self.rng, self.members = day, rng, members
        self.col, self.n, self.divnumber = rng.randint(100, 900), 0, rng.randint(1, 300)
        self.out: list[str] = ['<publicwhip scraperversion="a" latest="yes">\n']
        self.size = len(self.out[0])

    def gid(self) -> str:
        self.n += 1
        if self.n > 12:
            self.col, self.n = self.col + 1, 0
        return f"uk.org.publicwhip/debate/{self.day.isoformat()}a.{self.col}.{self.n}"

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text.encode())

    def heading(self, kind: str, title: str) -> None:
        self.emit(
            f'  <{kind} id="{self.gid()}" nospeaker="true" colnum="{self.col}" time="" url="">\n'
            f"{escape(title)}\n</{kind}>\n"
        )

    def speech(self) -> None:
        person, name = self.rng.choice(self.members)
        gid = self.gid()
        paras = "".join(
            f'    <p pid="a{self.col}.{self.n}/{i}">{escape(_paragraph(self.rng))}</p>\n'
            for i in range(1, self.rng.randint(2, 5))
        )
        self.emit(
            f'  <speech id="{gid}" speakername="{name}" person_id="{person}" '
            f'colnum="{self.col}" time="" url="">\n{paras}  </speech>\n'
        )

    def division(self) -> None:
        voters = self.rng.sample(self.members, self.rng.randint(200, 600))
        cut = self.rng.randint(len(voters) // 3, 2 * len(voters) // 3)
        sides = (("aye", voters[:cut]), ("no", voters[cut:]))
        self.divnumber += 1
        lists = []
        for vote, people in sides:
            rows = "".join(
                f'      <mpname person_id="{p}" vote="{vote}"'
                f"{TELLER if i >= len(people) - 2 else ''}>{n}</mpname>\n"
                for i, (p, n) in enumerate(people)
            )
            lists.append(f'    <mplist vote="{vote}">\n{rows}    </mplist>\n')
        self.emit(
            f'  <division id="{self.gid()}" nospeaker="true" divdate="{self.day.isoformat()}" '
            f'divnumber="{self.divnumber}" colnum="{self.col}" time="19:00:00">\n'
            f'    <divisioncount ayes="{cut - 2}" noes="{len(voters) - cut - 2}"/>\n'
            f"{''.join(lists)}  </division>\n"
        )


def generate(out: Path, mb: float, seed: int, quiet: bool = False) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    members = [(f"uk.org.publicwhip/person/{90000 + i}", _name(rng)) for i in range(650)]
    target = int(mb * MB)
    per_file = min(FILE_BYTES, max(50_000, target // 4))
    total = files = speeches = divisions = 0
    day = date(2031, 1, 6)
    while total < target:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        d = Day(day, rng, members)
        want = min(per_file, target - total)
        while d.size < want:
            d.heading("major-heading", rng.choice(HEADINGS))
            for _ in range(rng.randint(1, 3)):
                d.heading("minor-heading", _sentence(rng).rstrip(".?—"))
                for _ in range(rng.randint(3, 15)):
                    d.speech()
                    speeches += 1
                if rng.random() < 0.08:
                    d.division()
                    divisions += 1
        d.emit("</publicwhip>\n")
        path = out / f"debates{day.isoformat()}a.xml"
        path.write_text("".join(d.out), encoding="utf-8")
        total += d.size
        files += 1
        day += timedelta(days=1)
    meta = {
        "mb_target": mb,
        "seed": seed,
        "files": files,
        "bytes": total,
        "speeches": speeches,
        "divisions": divisions,
    }
    (out / "GENERATED.json").write_text(json.dumps(meta, indent=1))
    if not quiet:
        print(json.dumps(meta))
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    generate(args.out, args.mb, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

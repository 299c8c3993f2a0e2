"""Speaker identity: the pure resolver on our member fixtures (same names told apart by date,
house or constituency, or left unresolved with the reason; Lords titles; surname and office
lines), and the flows end to end: the seed's and sample's speakers, a party switch on each side
of its date through contributions_enriched, and the resolution rate on the real corpus."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from flows.core.publish import publish
from flows.core.warehouse import Warehouse
from tests.conftest import SAMPLE, corpus_path
from tests.support.members_support import FIXTURES, members_routes, refresh, sql
from tests.support.replay_server import ReplayServer, corpus_routes
from tests.support.runs import ingest_api, ingest_text
from tests.support.runs import resolve as resolve_run
from transforms.members.api import Response, build_tables
from transforms.resolve import METHODS, Directory, build_directory, normalise_name, resolve
from transforms.schema import CONTRIBUTIONS, DEBATES, frame

# -- the pure resolver on our fixtures -----------------------------------------------------------


@pytest.fixture(scope="module")
def directory() -> Directory:
    from datetime import UTC, datetime

    when = datetime(2026, 5, 1, tzinfo=UTC)
    searches = [Response(p.read_bytes(), p.name, when) for p in FIXTURES.glob("search_*.json")]
    history = Response((FIXTURES / "history_all.json").read_bytes(), "h", when)
    built = build_tables(searches, [history])
    twfy = {"uk.org.publicwhip/person/10133": 185, "uk.org.publicwhip/member/40334": 185}
    return build_directory(
        built.rows["members"], built.rows["member_names"], built.rows["member_houses"], twfy
    )


def row(
    name: str | None,
    day: str,
    house: str = "Commons",
    *,
    key: str | None = None,
    office: str | None = None,
    constituency: str | None = None,
    debate: str = "d1",
    kind: str = "speech",
    **extra: Any,
) -> dict[str, Any]:
    row.n += 1  # type: ignore[attr-defined]
    return {
        "contribution_id": f"c{row.n}",  # type: ignore[attr-defined]
        "source": "pp_text",
        "debate_id": debate,
        "house": house,
        "sitting_date": date.fromisoformat(day),
        "contribution_type": kind,
        "speaker_key": key if key is not None else name,
        "speaker_name": name,
        "speaker_office": office,
        "constituency": constituency,
        "member_id": None,
        "twfy_person_id": None,
        "speaker_ref": None,
        **extra,
    }


row.n = 0  # type: ignore[attr-defined]


def one(d: Directory, r: dict[str, Any]) -> dict[str, Any]:
    return resolve([r], d)[0]


def outcome(d: Directory, r: dict[str, Any]) -> tuple[int | None, str | None]:
    got = one(d, r)
    return got["member_id"], got["method"]


@pytest.mark.parametrize(
    ("printed", "full", "short"),
    [
        ("Mr Gareth Lomax", "gareth lomax", None),
        ("Rt Hon Yvette Cooper MP", "yvette cooper", None),
        ("Dame Imelda Crane", "imelda crane", None),
        ("The Lord Bishop of Ravensbrook", "bishop of ravensbrook", None),
        ("The Bishop of Ravensbrook", "bishop of ravensbrook", None),
        ("The Earl of Caldmoor", "earl of caldmoor", None),
        ("Baroness Anelay of St Johns", "baroness anelay of st johns", "baroness anelay"),
        ("Baroness D’Souza", "baroness dsouza", None),
        ("The Rt Hon. the Lord Lansley CBE PC", "lord lansley", None),
        ("Mr. O'Brien", "obrien", None),
    ],
)
def test_titles_and_honorifics_are_normalised(printed: str, full: str, short: str | None) -> None:
    form = normalise_name(printed)
    assert form is not None and (form.full, form.short) == (full, short)


def test_two_members_with_one_name_are_told_apart_by_constituency_or_left_unresolved(
    directory: Directory,
) -> None:
    south = row("Chris Dale", "2025-02-01", constituency="Dale South")
    assert outcome(directory, south) == (900202, "name_constituency")
    bare = one(directory, row("Chris Dale", "2025-02-01"))
    assert bare["member_id"] is None and bare["method"] is None
    assert bare["reason"].startswith("ambiguous: 2 candidates named 'chris dale'")
    assert bare["candidates"] == "900201,900202"
    elsewhere = one(directory, row("Chris Dale", "2025-02-01", constituency="Nowhere"))
    assert elsewhere["member_id"] is None and elsewhere["candidates"] == "900201,900202"


def test_two_members_with_one_name_are_told_apart_by_date(directory: Directory) -> None:
    for printed in ("The Lord Bishop of Ravensbrook", "The Bishop of Ravensbrook"):
        assert outcome(directory, row(printed, "2015-03-02", "Lords")) == (900110, "name_date")
        assert outcome(directory, row(printed, "2025-01-28", "Lords")) == (900111, "name_date")
    gap = one(directory, row("The Lord Bishop of Ravensbrook", "2021-03-01", "Lords"))
    assert gap["member_id"] is None and gap["reason"].startswith("no match")


def test_house_and_date_decide_who_could_have_spoken(directory: Directory) -> None:
    assert outcome(directory, row("Harriet Voss", "2020-06-01")) == (900204, "name_date")
    assert one(directory, row("Harriet Voss", "2025-06-01"))["reason"].startswith("no match")
    lords = row("Baroness Voss of Kelby", "2025-06-01", "Lords")
    assert outcome(directory, lords) == (900204, "name_date")
    assert outcome(directory, row("Baroness Voss", "2025-06-01", "Lords")) == (900204, "name_date")
    assert one(directory, row("Baroness Voss", "2020-06-01", "Lords"))["member_id"] is None
    # a transcript's key is today's name: Lord Lansley printed as "Mr Andrew Lansley" in 2013
    lansley = row("Mr Andrew Lansley", "2013-03-06", key="Lord Lansley")
    assert one(directory, lansley)["name_tried"] == "andrew lansley"
    assert outcome(directory, lansley) == (123, "name_date")
    assert outcome(directory, row("Lord Lansley", "2020-01-01", "Lords")) == (123, "name_date")


def test_lords_titles(directory: Directory) -> None:
    ambiguous = one(directory, row("Lord Pemberton", "2020-01-01", "Lords"))
    assert ambiguous["candidates"] == "900205,900206"
    assert ambiguous["reason"].startswith("ambiguous: 2 candidates named 'lord pemberton'")
    cray = row("Lord Pemberton of Cray", "2020-01-01", "Lords")
    assert outcome(directory, cray) == (900206, "name_date")
    # before Lord Pemberton of Cray sat, "Lord Pemberton" can only be the other one
    early = row("Lord Pemberton", "2015-01-01", "Lords")
    assert outcome(directory, early) == (900205, "name_date")
    for printed in ("The Earl of Caldmoor", "Earl of Caldmoor"):
        assert outcome(directory, row(printed, "2012-05-01", "Lords")) == (900207, "name_date")
    for printed in ("Baroness D’Souza", "Baroness D'Souza"):
        assert outcome(directory, row(printed, "2015-10-26", "Lords")) == (910101, "name_date")
    anelay = row("Baroness Anelay", "2010-07-20", "Lords", key="Baroness Anelay of St Johns")
    assert outcome(directory, anelay) == (910103, "name_date")


def test_office_only_lines_take_the_person_the_debate_printed_with_that_office(
    directory: Directory,
) -> None:
    rows = [
        row("Boris Johnson", "2021-06-09", office="The Prime Minister", debate="pmqs"),
        row("Jim Shannon", "2021-06-09", constituency="Strangford", debate="pmqs"),
        row(None, "2021-06-09", key=None, office="The Prime Minister", debate="pmqs"),
        row(None, "2021-06-09", key=None, office="The Prime Minister", debate="other"),
    ]
    got = resolve(rows, directory)
    assert [(g["member_id"], g["method"]) for g in got] == [
        (910002, "name_date"),
        (4131, "name_constituency"),
        (910002, "office_in_debate"),
        (None, None),
    ]
    assert got[2]["name_tried"] == "prime minister"
    assert got[3]["reason"] == "no match: no printed name"
    # two different holders of one office printed in the debate: not guessed
    two = [
        row("Boris Johnson", "2021-06-09", office="The Prime Minister", debate="x"),
        row("Vicky Ford", "2021-06-09", office="The Prime Minister", debate="x"),
        row(None, "2021-06-09", key=None, office="The Prime Minister", debate="x"),
    ]
    assert resolve(two, directory)[2]["member_id"] is None


def test_surnames_match_on_the_date_and_the_debate_breaks_ties(directory: Directory) -> None:
    assert outcome(directory, row("Mr Lomax", "2024-11-19", key=None)) == (900005, "name_date")
    # "Mr Dale" is one of two Dales, the man; "Dr Dale" could be either, unless the debate says
    assert outcome(directory, row("Mr Dale", "2025-02-01", key=None)) == (900201, "name_date")
    alone = one(directory, row("Dr Dale", "2025-02-01", key=None, debate="a"))
    assert alone["candidates"] == "900201,900202" and "surname only" in alone["reason"]
    rows = [
        row("Chris Dale", "2025-02-01", constituency="Dale North", debate="b"),
        row("Dr Dale", "2025-02-01", key=None, debate="b"),
    ]
    got = resolve(rows, directory)
    assert [(g["member_id"], g["method"]) for g in got] == [
        (900201, "name_constituency"),
        (900201, "name_in_debate"),
    ]


def test_ids_from_the_source_come_first(directory: Directory) -> None:
    given = row("Chris Dale", "2025-02-01", member_id=185)
    assert outcome(directory, given) == (185, "source")
    twfy = row("Jeremy Corbyn", "2009-10-27", twfy_person_id="uk.org.publicwhip/person/10133")
    assert outcome(directory, twfy) == (185, "mapped")
    membership = row("Mr. Corbyn", "2009-10-27", speaker_ref="uk.org.publicwhip/member/40334")
    assert outcome(directory, membership) == (185, "mapped")


def test_a_row_with_its_own_id_is_never_given_to_the_other_chair_occupant(
    directory: Directory,
) -> None:
    """Two people in one chair (ParlParse debate/2009-10-26b.117.2: member/2019, a Deputy
    Speaker the map cannot place, in a debate where another Deputy Speaker was resolved): the
    row keeps its own identity, unresolved, instead of the other occupant's id."""
    chair, day = "uk.org.publicwhip/person/10370", "2021-06-09"
    rows = [
        row("Boris Johnson", day, office="Deputy Speaker", debate="d", member_id=910002),
        row(
            "Michael Lord",
            day,
            office="Deputy Speaker",
            debate="d",
            twfy_person_id=chair,
            speaker_ref="uk.org.publicwhip/member/2019",
        ),
        row(None, day, key=None, office="Deputy Speaker", debate="d", speaker_ref=chair),
        row(None, day, key=None, office="Deputy Speaker", debate="d"),
        row(
            None,
            day,
            key=None,
            office="Madam Deputy Speaker",
            debate="d",
            speaker_display="Madam Deputy Speaker",
        ),
    ]
    got = resolve(rows, directory)
    assert [(g["member_id"], g["method"]) for g in got] == [
        (910002, "source"),
        (None, None),
        (None, None),
        (910002, "office_in_debate"),  # no id of its own: the one holder the debate printed
        (None, None),  # "Madam": the holder is a man, so not him
    ]
    assert got[1]["reason"].startswith(f"unmapped id: the source names {chair}")
    assert got[2]["name_tried"] == chair
    # an "unknown" speaker id is no id: the row may still be resolved by its name
    unknown = row("Boris Johnson", day, speaker_ref="unknown")
    assert outcome(directory, unknown) == (910002, "name_date")


def test_rows_with_no_speaker_and_an_empty_directory_say_why(directory: Directory) -> None:
    rose = row(None, "2025-03-12", key=None, kind="collective")
    assert one(directory, rose)["reason"] == "no speaker: collective row"
    empty = one(build_directory([], [], []), row("Yvette Cooper", "2025-06-16"))
    assert empty["reason"] == "no match: members tables are empty (run the members refresh)"


# -- end to end, over the replay server --------------------------------------------------------


def test_seed_and_sample_speakers_resolve_with_our_member_fixtures(warehouse: Warehouse) -> None:
    wh = str(warehouse.root)
    ingest_text([str(SAMPLE)], warehouse=wh)
    with ReplayServer(members_routes()) as srv:
        summary = refresh(warehouse, srv.url)
    assert summary.resolution.share_resolved == 1.0, summary.resolution.describe()
    # the seed arrives after the refresh: its publish re-resolves every speaker by itself
    ingest_text([str(corpus_path("seed", "casey-report-2025-06-16.txt"))], warehouse=wh)
    seed = sql(
        warehouse,
        "select speaker_display, member_id, resolution_method, member_name, party_abbreviation, "
        "membership_from from contributions_enriched where sitting_date = '2025-06-16' "
        "order by ordinal",
    )
    assert seed == [
        ("Yvette Cooper", 420, "name_date", "Yvette Cooper", "Lab", _COOPER_SEAT),
        (
            "David Simmonds (Ruislip, Northwood and Pinner) (Con)",
            910001,
            "name_constituency",
            "David Simmonds",
            "Con",
            "Ruislip, Northwood and Pinner",
        ),
        ("Yvette Cooper", 420, "name_date", "Yvette Cooper", "Lab", _COOPER_SEAT),
    ]
    assert sql(warehouse, "select count(*) from unresolved_speakers") == [(0,)]
    query = "select coalesce(method, reason), count(*) from speaker_resolutions group by 1"
    by_method = dict(sql(warehouse, query))
    assert by_method == {
        "name_date": 23,
        "name_constituency": 15,
        "no speaker: collective row": 1,
    }
    # the office lines of the sample are the right people: printed party and seat agree
    mismatched = sql(
        warehouse,
        "select speaker_display from contributions_enriched where printed_party is not null "
        "and printed_party <> party_abbreviation "
        "or printed_constituency is not null and printed_constituency <> membership_from",
    )
    assert mismatched == []
    deputy = sql(
        warehouse,
        "select member_id, member_name from contributions_enriched "
        "where speaker_display like 'Madam Deputy Speaker%'",
    )
    assert deputy == [(900012, "Dame Imelda Crane")]


_COOPER_SEAT = "Pontefract, Castleford and Knottingley"


def test_a_party_switch_applies_from_its_date(warehouse: Warehouse) -> None:
    """Member 185: the real Hansard API recordings print (Ind) up to 10 June 2026 and (Your
    Party) from 15 June; our fixture history switches on 12 June."""
    routes = corpus_routes(corpus_path()).update(members_routes())
    with ReplayServer(routes) as srv:
        ingest_api(
            start=date(2026, 6, 1),
            end=date(2026, 7, 31),
            houses=["Commons"],
            warehouse=str(warehouse.root),
            base_url=srv.url,
        )
        refresh(warehouse, srv.url)
    rows = sql(
        warehouse,
        "select sitting_date, printed_party, party_abbreviation, party_name, membership_from, "
        "resolution_method from contributions_enriched where member_id = 185 order by 1",
    )
    assert rows and {r[5] for r in rows} == {"source"}
    assert {r[4] for r in rows} == {"Islington North"}
    before = {r[2] for r in rows if r[0] <= date(2026, 6, 11)}
    after = {r[2] for r in rows if r[0] >= date(2026, 6, 12)}
    assert before == {"Ind"} and after == {"Your Party"}
    assert date(2026, 6, 10) in {r[0] for r in rows} and date(2026, 6, 15) in {r[0] for r in rows}
    printed = [(r[1], r[2]) for r in rows if r[1] is not None]
    assert printed and all(p == q for p, q in printed), printed


def test_the_enriched_view_switches_party_on_the_day(warehouse: Warehouse) -> None:
    """Our fictional Morwenna Tate leaves the Conservatives on 14 January 2025 and sits for
    Reform from the 15th: one speech each side, and one on the day of each boundary."""
    from datetime import UTC, datetime

    debates, contributions = [], []
    for n, day in enumerate(["2025-01-13", "2025-01-14", "2025-01-15", "2025-01-16"], start=1):
        d = date.fromisoformat(day)
        debates.append(
            {
                "debate_id": f"t{n}",
                "source": "pp_text",
                "house": "Commons",
                "location": "Commons Chamber",
                "sitting_date": d,
                "sitting_year": d.year,
                "title": "Fishing",
                "source_ref": f"test:{n}",
                "raw_sha256": "0" * 64,
            }
        )
        contributions.append(
            {
                "contribution_id": f"tate-{n}",
                "debate_id": f"t{n}",
                "source": "pp_text",
                "source_ref": f"test:{n}",
                "sitting_date": d,
                "sitting_year": d.year,
                "house": "Commons",
                "location": "Commons Chamber",
                "ordinal": 1,
                "speaker_key": "Morwenna Tate",
                "speaker_display": "Morwenna Tate",
                "speaker_name": "Morwenna Tate",
                "contribution_type": "speech",
                "text": "Words.",
                "word_count": 1,
                "is_virtual": False,
                "details_carried": False,
                "after_gap": False,
                "is_truncated": False,
                "raw_sha256": "0" * 64,
            }
        )
    publish(warehouse, DEBATES, frame(DEBATES, debates))
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, contributions))
    _publish_fixture_members(warehouse, datetime(2026, 5, 1, tzinfo=UTC))
    summary = resolve_run(warehouse).resolution  # a run: takes the lock, refreshes the views
    assert (summary.resolved, summary.speeches) == (4, 4)
    got = sql(
        warehouse,
        "select sitting_date, member_id, party_abbreviation, party_name "
        "from contributions_enriched order by sitting_date",
    )
    assert [(str(d), m, p) for d, m, p, _ in got] == [
        ("2025-01-13", 900203, "Con"),
        ("2025-01-14", 900203, "Con"),
        ("2025-01-15", 900203, "RUK"),
        ("2025-01-16", 900203, "RUK"),
    ]


def _publish_fixture_members(wh: Warehouse, when) -> None:  # noqa: ANN001
    from transforms.schema import TABLES

    searches = [Response(p.read_bytes(), p.name, when) for p in FIXTURES.glob("search_*.json")]
    history = Response((FIXTURES / "history_all.json").read_bytes(), "h", when)
    built = build_tables(searches, [history])
    for name, rows in built.rows.items():
        publish(wh, TABLES[name], frame(TABLES[name], rows), replace=[{}])


# -- the measurement on the real corpus ------------------------------------------------------------


@pytest.mark.corpus
def test_resolution_rate_on_every_real_corpus_file(corpus_warehouse, capsys) -> None:  # noqa: ANN001
    """Every real corpus input the pipeline reads (the seed, the transcript skeletons, the
    TheyWorkForYou XML with its members files, the Hansard API recordings), members refreshed
    from our fixtures (tests/derived/conftest.py): the share of speeches resolved per source
    and method."""
    warehouse, summary = corpus_warehouse
    rows = sql(
        warehouse,
        "with files as (select raw_sha256, min(original_path) as path from raw_inputs "
        "group by raw_sha256) "
        "select c.source, f.path, r.method, r.reason from speaker_resolutions r "
        "join contributions c using (contribution_id) left join files f using (raw_sha256)",
    )
    table: dict[str, Counter] = {}
    per_file: dict[str, Counter] = {}
    for source, path, method, reason in rows:
        if (reason or "").startswith("no speaker"):
            continue
        label = "seed" if "/seed/" in (path or "") else source
        outcome = method or reason.split(":")[0]
        table.setdefault(label, Counter())[outcome] += 1
        name = path.rsplit("/", 1)[-1] if source != "hansard_api" else "API search pages"
        per_file.setdefault(f"{label}: {name}", Counter())[outcome] += 1

    def line(label: str, counts: Counter) -> str:
        total = sum(counts.values())
        resolved = sum(n for k, n in counts.items() if k in METHODS)
        parts = ", ".join(f"{k} {n}" for k, n in counts.most_common())
        return f"  {label:12} {resolved}/{total} = {resolved / total:.1%}  ({parts})"

    with capsys.disabled():
        print("\nresolution on the real corpus (members: our fixtures + corpus members files)")
        for label, counts in sorted(table.items()):
            print(line(label, counts))
        print(f"  overall: {summary.resolution.describe()}")
        print("by file:")
        for label, counts in sorted(per_file.items()):
            print(line(label, counts))
    share = {
        k: sum(n for m, n in c.items() if m in METHODS) / sum(c.values()) for k, c in table.items()
    }
    assert share["seed"] == 1.0 and share["hansard_api"] == 1.0
    assert share["pp_text"] >= 0.95
    assert share["twfy_xml"] >= 0.45  # mapped through people.xml (2015) and all-members-2010

"""The corpus warehouse (tests/derived/conftest.py: every real corpus input, every source) is
the same, table by table, as the expected digest, and `hansard rebuild` reproduces every table
of every source byte for byte.

The expected digest (tests/support/fixtures/corpus_warehouse.digest.json) is made by building
the corpus warehouse (`build_corpus_warehouse`: transcript text, TheyWorkForYou XML with its
members files, the Hansard API recordings from the replay server, a members refresh from our
fixtures), then `python -m tests.support.digest WAREHOUSE` (rows sorted, the ingest-time
columns and the run log left out). A change that means to alter the tables makes a new digest
the same way, in the commit that changes them, and says here what changed:

- "Spine v2" (d241a83): built by the code before the restructuring (f0ce6fb) and by the new
  engine, every table the same but raw_inputs, which gained the members refresh's 7 responses
  and 2 files (the old members flow never published its manifest).
- Fidelity (schema v5): contributions and debates gain `header_incomplete` and
  `question_uins` (same rows); speaker_resolutions: 8 TheyWorkForYou speeches whose own person
  id the identity map cannot place are no longer given a member by their printed name.
- Search index v2 (schema v6): search_postings carry each contribution's number in its
  partition (`doc`) instead of its id, search_docs map it and gain `sitting_date` (same rows).
- Votes APIs (schema v7): divisions and division_votes gain the Votes APIs' columns (null for
  TheyWorkForYou's 11 divisions and 4,156 names, same rows) and the 5 divisions and 3,250
  names of our Votes API fixtures for the 2023 TheyWorkForYou day; raw_inputs its 7 responses.
- intervention_pairs (schema v8): a new derived table, 876 pairs; every other table the same.
- debate_stats (schema v9): a new derived table, 347 debates with contributions; the rest the same.
- contributions_enriched (schema v10): a new derived table, 1,685 rows (the view it replaces,
  same rows); the rest the same.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.core.warehouse import Warehouse
from tests.conftest import ROOT
from tests.support.digest import digest
from tests.support.runs import rebuild

GOLDEN = ROOT / "tests" / "support" / "fixtures" / "corpus_warehouse.digest.json"
pytestmark = pytest.mark.corpus


def parquet_bytes(wh: Warehouse) -> dict[str, str]:
    return {
        f.relative_to(wh.tables).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(wh.tables.rglob("*.parquet"))
        if "ingest_runs" not in f.parts
    }


def test_every_table_is_as_expected(corpus_warehouse: tuple[Warehouse, Any]) -> None:
    wh, _ = corpus_warehouse
    expected = json.loads(GOLDEN.read_text())
    got = digest(wh)
    differing = {k: (got.get(k), expected.get(k)) for k in set(got) | set(expected)}
    assert not {k: v for k, v in differing.items() if v[0] != v[1]}


def test_rebuild_reproduces_every_table_of_every_source_byte_for_byte(
    corpus_warehouse: tuple[Warehouse, Any], tmp_path: Path
) -> None:
    wh, _ = corpus_warehouse
    copy = Warehouse.at(tmp_path / "copy")
    shutil.copytree(wh.root, copy.root)
    before = parquet_bytes(copy)
    summary = rebuild(copy)
    assert summary.items > 0 and summary.partitions_written == 0  # nothing had to change
    assert parquet_bytes(copy) == before
    assert {"pp_text", "hansard_api", "twfy_xml"} <= {k.split("/")[1][7:] for k in before}


def rows_differing(con: Any, got: str, reference: str) -> int:  # noqa: ANN401
    """Rows of one query missing from the other, both ways (EXCEPT ALL: duplicates count)."""
    (n,) = con.execute(
        f"select count(*) from ((({got}) except all ({reference})) "
        f"union all (({reference}) except all ({got})))"
    ).fetchone()
    return n


# the interventions view before its pairs were derived per partition: one window over every
# contribution (the reference the derived table must equal)
WINDOW_OVER_EVERY_CONTRIBUTION = """
with next_events as (
    select debate_id, sitting_date, speaker_key,
        lead(case when speaker_key is not null or coalesce(after_gap, false)
                then {'key': speaker_key, 'gap': coalesce(after_gap, false)} end ignore nulls)
            over (partition by debate_id, raw_sha256 order by ordinal) as next_event
    from contributions
),
changes as (
    select debate_id, sitting_date, speaker_key, next_event.key as next_speaker_key
    from next_events
    where speaker_key is not null and not next_event.gap and next_event.key <> speaker_key
)
select speaker_key, next_speaker_key, count(*) as pair_count,
    count(distinct debate_id) as debate_count, min(sitting_date) as first_date,
    max(sitting_date) as last_date
from changes
group by all
"""


def test_interventions_from_derived_pairs_equal_one_window_over_every_contribution(
    corpus_warehouse: tuple[Warehouse, Any],
) -> None:
    import duckdb

    from flows.derived.pairs import SpeakerPairs
    from flows.derived.refresh import refresh_derived

    wh, _ = corpus_warehouse
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as con:
        (count,) = con.execute("select count(*) from interventions").fetchone()
        differing = rows_differing(
            con, "select * from interventions", WINDOW_OVER_EVERY_CONTRIBUTION
        )
    assert count > 500 and differing == 0
    # every partition was derived once, those without a pair too (an empty, signed file)
    assert refresh_derived(wh, [SpeakerPairs()]).derived == 0


# debate_summary before its counts were derived per partition: one aggregation over every
# contribution through contributions_enriched (the reference debate_stats must equal)
AGGREGATE_OVER_EVERY_CONTRIBUTION = """
with

debate_rows as (
    select * from debates
),

contribution_rows as (
    select * from contributions_enriched
),

contribution_totals as (
    select
        debate_id,
        count(*) as contribution_count,
        count(distinct person_key) as speaker_count,
        cast(sum(word_count) as bigint) as word_count,
        arg_min(
            {'key': speaker_key, 'name': speaker_name, 'member_id': member_id},
            {'ordinal': ordinal, 'contribution_id': contribution_id}
        ) filter (where person_key is not null) as first_speaker
    from contribution_rows
    group by debate_id
),

final as (
    select
        d.debate_id,
        d.house,
        d.location,
        d.sitting_date,
        d.title,
        d.department,
        d.stage,
        coalesce(t.contribution_count, 0) as contribution_count,
        coalesce(t.speaker_count, 0) as speaker_count,
        coalesce(t.word_count, 0) as word_count,
        t.first_speaker.key as first_speaker_key,
        t.first_speaker.name as first_speaker_name,
        t.first_speaker.member_id as first_speaker_member_id
    from debate_rows as d
    left join contribution_totals as t on d.debate_id = t.debate_id
)

select * from final
"""


def test_debate_summary_from_derived_stats_equals_one_aggregation_over_every_contribution(
    corpus_warehouse: tuple[Warehouse, Any],
) -> None:
    import duckdb

    from flows.derived.refresh import refresh_derived
    from flows.derived.resolution import derivers

    wh, _ = corpus_warehouse
    reference = AGGREGATE_OVER_EVERY_CONTRIBUTION
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as con:
        (count,) = con.execute("select count(*) from debate_summary").fetchone()
        differing = rows_differing(con, "select * from debate_summary", reference)
        (with_speaker,) = con.execute(
            "select count(*) from debate_summary where first_speaker_member_id is not null"
        ).fetchone()
    assert count > 300 and differing == 0 and with_speaker > 100
    assert refresh_derived(wh, derivers(wh)).derived == 0  # nothing left to derive


# contributions_enriched before it was derived per partition: every contribution joined to its
# resolution and the three histories at query time (the reference the derived table must equal;
# `doc`, new with the table, is checked against search_docs)
JOINS_OVER_EVERY_CONTRIBUTION = """
with
resolved as (
    select c.*, r.member_id as resolved_id, r.method, r.reason
    from contributions as c left join speaker_resolutions as r using (contribution_id)
),
name_on_date as (
    select res.contribution_id, n.name_display
    from resolved as res inner join member_names as n
        on res.resolved_id = n.member_id and n.start_date <= res.sitting_date
        and (n.end_date is null or res.sitting_date <= n.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by n.start_date desc, n.ordinal desc) = 1
),
party_on_date as (
    select res.contribution_id, p.party_id, p.party_name, p.party_abbreviation
    from resolved as res inner join member_parties as p
        on res.resolved_id = p.member_id and p.start_date <= res.sitting_date
        and (p.end_date is null or res.sitting_date <= p.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by p.start_date desc, p.ordinal desc) = 1
),
seat_on_date as (
    select res.contribution_id, h.membership_from
    from resolved as res inner join member_houses as h
        on res.resolved_id = h.member_id and res.house = h.house
        and (h.start_date is null or h.start_date <= res.sitting_date)
        and (h.end_date is null or res.sitting_date <= h.end_date)
    qualify row_number() over (
        partition by res.contribution_id order by h.start_date desc nulls last, h.ordinal desc
    ) = 1
)
select
    res.contribution_id, res.debate_id, res.source, res.sitting_date, res.sitting_year,
    res.house, res.location, res.ordinal, res.contribution_type, res.speaker_key,
    res.speaker_display, res.speaker_name, res.speaker_office,
    res.constituency as printed_constituency, res.party as printed_party, res.twfy_person_id,
    res.resolved_id as member_id,
    case
        when res.resolved_id is not null then 'member:' || res.resolved_id
        when res.twfy_person_id is not null then 'twfy:' || res.twfy_person_id
        when res.contribution_type in ('collective', 'procedural') then null
        when coalesce(res.speaker_key, res.speaker_name) is not null
            then 'name:' || coalesce(res.speaker_key, res.speaker_name)
    end as person_key,
    res.method as resolution_method, res.reason as resolution_reason,
    coalesce(nd.name_display, m.name_display) as member_name, m.gender as member_gender,
    pd.party_id, pd.party_name, pd.party_abbreviation, sd.membership_from,
    coalesce(pd.party_abbreviation, pd.party_name, res.party) as party,
    case
        when coalesce(pd.party_abbreviation, pd.party_name) is not null then 'on_date'
        when res.party is not null then 'printed'
    end as party_basis,
    res.word_count
from resolved as res
left join members as m on res.resolved_id = m.member_id
left join name_on_date as nd using (contribution_id)
left join party_on_date as pd using (contribution_id)
left join seat_on_date as sd using (contribution_id)
"""


def test_contributions_enriched_derived_per_partition_equals_joins_over_every_contribution(
    corpus_warehouse: tuple[Warehouse, Any],
) -> None:
    import duckdb

    from flows.derived.refresh import refresh_derived
    from flows.derived.resolution import derivers

    wh, _ = corpus_warehouse
    reference = JOINS_OVER_EVERY_CONTRIBUTION
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as con:
        (count, on_date, seats) = con.execute(
            "select count(*), count(*) filter (party_basis = 'on_date'), count(membership_from) "
            "from contributions_enriched"
        ).fetchone()
        got = "select * exclude (doc) from contributions_enriched"
        differing = rows_differing(con, got, reference)
        (contributions,) = con.execute("select count(*) from contributions").fetchone()
        (docs_differing,) = con.execute(
            "select count(*) from contributions_enriched as e full join search_docs as d "
            "using (contribution_id) where e.doc is distinct from d.doc "
            "or e.source <> d.source or e.sitting_year is distinct from d.sitting_year"
        ).fetchone()
    assert count == contributions and differing == 0 and docs_differing == 0
    assert on_date > 300 and seats > 300, (on_date, seats)
    assert refresh_derived(wh, derivers(wh)).derived == 0  # nothing left to derive

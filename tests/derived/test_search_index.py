"""The search index (flows/derived/search.py) and the BM25 macros over it (sql/search_bm25.sql).

index_partition is checked on a hand-written contributions file (our own words); the macros'
scores are checked against DuckDB fts's own match_bm25 over the same corpus, built in a
test-only in-memory database: equal scores prove the tokenisation and the formula.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from flows.core.publish import publish, read_table
from flows.core.views import load_fts, refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.refresh import SearchIndex, refresh_derived
from flows.derived.search import english_stopwords, index_partition
from transforms.schema import CONTRIBUTIONS, SEARCH_DOCS, SEARCH_POSTINGS, frame

PART = ("pp_text", "Commons", 2024)


def contribution(cid: str, text: str, year: int = 2024, house: str = "Commons") -> dict:
    return {
        "contribution_id": cid,
        "debate_id": "d-" + cid,
        "source": "pp_text",
        "source_ref": f"{cid}.txt:1",
        "sitting_date": date(year, 3, 5),
        "sitting_year": year,
        "house": house,
        "location": f"{house} Chamber",
        "ordinal": 1,
        "speaker_display": "A Member",
        "contribution_type": "speech",
        "text": text,
        "word_count": len(text.split()),
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "raw_sha256": "0" * 64,
    }


def contributions_file(tmp_path: Path, texts: dict[str, str]) -> Path:
    path = tmp_path / "part-0.parquet"
    rows = [contribution(cid, text) for cid, text in texts.items()]
    frame(CONTRIBUTIONS, rows).write_parquet(path)
    return path


def with_ids(out: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The postings with each document number mapped to its contribution by search_docs."""
    ids = out["search_docs"].select("source", "house", "sitting_year", "doc", "contribution_id")
    return out["search_postings"].join(ids, on=["source", "house", "sitting_year", "doc"])


def postings_of(out: dict[str, pl.DataFrame]) -> dict[str, dict[str, int]]:
    got: dict[str, dict[str, int]] = {}
    for term, cid, tf in with_ids(out).select("term", "contribution_id", "tf").rows():
        got.setdefault(cid, {})[term] = tf
    return got


def test_tokens_are_lowercased_stemmed_and_stopwords_dropped(tmp_path: Path) -> None:
    file = contributions_file(
        tmp_path,
        {
            "c1": "Fishing, fishes — and the FISH.",
            "c2": "The Minister’s “silt” answer—generous: £5,000 for 2 harbours!",
            "c3": "Café naïve RÉSUMÉ",
            "c4": "",
            "c5": "The and of it will not",  # stopwords only
            "c6": "   \n\t  ",
        },
    )
    out = index_partition(file, PART)
    assert postings_of(out) == {
        "c1": {"fish": 3},
        "c2": {"minist": 1, "silt": 1, "answer": 1, "generous": 1, "harbour": 1},
        "c3": {"cafe": 1, "naiv": 1, "resum": 1},
    }
    docs = dict(out["search_docs"].select("contribution_id", "doc_length").rows())
    assert docs == {"c1": 3, "c2": 5, "c3": 3, "c4": 0, "c5": 0, "c6": 0}
    lengths = with_ids(out).select("contribution_id", "doc_length").unique().rows()
    assert all(docs[cid] == n for cid, n in lengths)


def test_frames_have_the_declared_columns_partition_values_and_order(tmp_path: Path) -> None:
    file = contributions_file(tmp_path, {"b": "harbour fish", "a": "fish silt harbour", "c": ""})
    out = index_partition(file, ("pp_text", "Lords", 1999))
    postings, docs = out["search_postings"], out["search_docs"]
    assert postings.schema == SEARCH_POSTINGS.schema
    assert docs.schema == SEARCH_DOCS.schema
    assert set(postings.select("source", "house", "sitting_year").rows()) == {
        ("pp_text", "Lords", 1999)
    }
    # documents are numbered from 1 in contribution_id order; postings sorted by term, doc
    assert postings.select("term", "doc").rows() == [
        ("fish", 1),
        ("fish", 2),
        ("harbour", 1),
        ("harbour", 2),
        ("silt", 1),
    ]
    assert docs.select("doc", "contribution_id", "sitting_date", "doc_length").rows() == [
        (1, "a", date(2024, 3, 5), 3),
        (2, "b", date(2024, 3, 5), 2),
        (3, "c", date(2024, 3, 5), 0),
    ]


def test_an_empty_partition_gives_empty_frames(tmp_path: Path) -> None:
    out = index_partition(contributions_file(tmp_path, {}), PART)
    assert out["search_postings"].height == 0 and out["search_docs"].height == 0
    assert out["search_postings"].schema == SEARCH_POSTINGS.schema


def test_the_stopwords_are_the_fts_english_list() -> None:
    words = english_stopwords()
    assert len(words) == len(set(words)) > 500
    assert {"the", "and", "of", "s", "t"} <= set(words)
    assert "fish" not in words


# Our own sentences, in two houses and years (so N and the average length span partitions).
CORPUS = {
    ("Commons", 2023): {
        "a1": "The harbour dredging plan will protect fish stocks in every harbour.",
        "a2": "Fishing fishing fishing.",
        "a3": "Will the hon. Lady give way on the silt budget?",
        "a4": "",
        "a5": "Anglers tell me the water is clearer, the weirs passable, and one small "
        "fishing club has doubled its membership in a single season.",
    },
    ("Lords", 2024): {
        "b1": "My Lords, the moorland deserves better than silt and peat fires.",
        "b2": "The Minister’s “silt” answer—generous; the café’s naïve résumé.",
        "b3": "Harbours, harbours: dredging the harbour mouth again.",
        "b4": "I agree with the noble Lord.",
    },
}
QUERIES = [
    "fishing",
    "FISH",
    "harbour dredging",
    "harbours harbour",  # one distinct term
    "silt",
    "Resume cafe",
    "the silt",  # a stopword and a word
    "the",
    "zeppelin",
    "“Minister’s”",
]


@pytest.fixture
def corpus_warehouse(warehouse: Warehouse) -> Warehouse:
    rows = [
        contribution(cid, text, year, house)
        for (house, year), texts in CORPUS.items()
        for cid, text in texts.items()
    ]
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, rows))
    refresh_derived(warehouse, [SearchIndex()])
    refresh_views(warehouse)
    return warehouse


def fts_scores(query: str, conjunctive: int = 1) -> dict[str, float]:
    """match_bm25 of DuckDB's fts extension, with the options the old index used; every query
    term required (conjunctive), as our words are ANDed. fts's conjunctive mode also requires
    a stopword of the query (so `the silt` finds nothing); ours ignores it, so the reference is
    asked without the query's stopwords."""
    stop = set(english_stopwords())
    plain = unicodedata.normalize("NFKD", query.lower())
    query = " ".join(t for t in re.findall("[a-z]+", plain) if t not in stop)
    con = duckdb.connect()
    load_fts(con)
    texts = [(cid, text) for texts in CORPUS.values() for cid, text in texts.items()]
    con.execute("create table t (contribution_id varchar, text varchar)")
    con.executemany("insert into t values (?, ?)", texts)
    con.execute(
        "pragma create_fts_index('t', 'contribution_id', 'text', stemmer = 'english', "
        "stopwords = 'english', ignore = '[^a-z]+', strip_accents = 1, lower = 1)"
    )
    got = con.execute(
        "select contribution_id, "
        f"fts_main_t.match_bm25(contribution_id, ?, conjunctive := {conjunctive}) as s from t",
        [query],
    ).fetchall()
    return {cid: s for cid, s in got if s is not None}


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_scores_equal_the_fts_extension(corpus_warehouse: Warehouse, query: str) -> None:
    expected = fts_scores(query)
    with duckdb.connect(str(corpus_warehouse.duckdb_path), read_only=True) as con:
        scored = con.execute("select contribution_id, score from search_bm25(?)", [query])
        got = dict(scored.fetchall())
        ranked = con.execute(
            "select contribution_id, score from search_contributions(?)", [query]
        ).fetchall()
    assert got.keys() == expected.keys()
    for cid, score in expected.items():
        assert got[cid] == pytest.approx(score, rel=1e-12), cid
    assert [r[0] for r in ranked] == sorted(expected, key=lambda c: (-expected[c], c))


@pytest.mark.parametrize(
    "query", ["fishing OR silt", "harbour OR dredging OR moorland", "silt OR “Minister’s”"]
)
def test_or_scores_equal_the_fts_extension_disjunctive(
    corpus_warehouse: Warehouse, query: str
) -> None:
    """Words joined by OR alone: any of them matches, scored over the ones held, as fts's
    default (disjunctive) match_bm25 scores the same words."""
    expected = fts_scores(query.replace(" OR ", " "), conjunctive=0)
    with duckdb.connect(str(corpus_warehouse.duckdb_path), read_only=True) as con:
        got = dict(
            con.execute("select contribution_id, score from search_bm25(?)", [query]).fetchall()
        )
    assert got.keys() == expected.keys() and len(got) > 1
    for cid, score in expected.items():
        assert got[cid] == pytest.approx(score, rel=1e-12), cid


def test_postings_name_documents_by_number_stored_as_deltas(corpus_warehouse: Warehouse) -> None:
    """Each partition numbers its contributions 1..n in contribution_id order (search_docs);
    the published postings files store those numbers delta-encoded, not the id strings."""
    docs = read_table(corpus_warehouse, SEARCH_DOCS)
    for (house, year), texts in CORPUS.items():
        part = docs.filter(pl.col("house") == house, pl.col("sitting_year") == year)
        assert part.sort("doc").select("doc", "contribution_id").rows() == list(
            enumerate(sorted(texts), start=1)
        )
    files = sorted((corpus_warehouse.tables / SEARCH_POSTINGS.name).rglob("*.parquet"))
    assert len(files) == len(CORPUS)
    for file in files:
        meta = pq.ParquetFile(file).metadata.row_group(0)
        columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
        assert "contribution_id" not in columns
        assert "DELTA_BINARY_PACKED" in columns["doc"].encodings
        assert "RLE_DICTIONARY" in columns["term"].encodings


@pytest.mark.parametrize("query", ["fishing", "harbour dredging", '"the silt"', "silt -moorland"])
def test_search_matches_are_search_bm25_by_document_number(
    corpus_warehouse: Warehouse, query: str
) -> None:
    with duckdb.connect(str(corpus_warehouse.duckdb_path), read_only=True) as con:
        keys = "source, house, sitting_year, doc, score"
        matches = con.execute(f"select {keys} from search_matches(?) order by all", [query])
        got = matches.fetchall()
        bm25 = con.execute(f"select {keys} from search_bm25(?) order by all", [query])
        assert got == bm25.fetchall() and got


def test_an_index_built_bit_by_bit_equals_one_built_at_once(
    corpus_warehouse: Warehouse, tmp_path: Path
) -> None:
    """Incremental: partitions indexed as they arrive and re-indexed as they change give the
    same index files' rows as a warehouse that got the final contributions in one go."""
    changed = contribution("a1", "The harbour dredging plan is withdrawn.", 2023)
    added = contribution("c1", "Harbours and fishing, again and again.", 2025)
    publish(corpus_warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [changed, added]))
    refresh_derived(corpus_warehouse, [SearchIndex()])
    once = Warehouse.at(tmp_path / "once")
    publish(once, CONTRIBUTIONS, read_table(corpus_warehouse, CONTRIBUTIONS))
    refresh_derived(once, [SearchIndex()])
    for table in (SEARCH_POSTINGS, SEARCH_DOCS):
        got = read_table(corpus_warehouse, table)
        assert got.height and got.equals(read_table(once, table)), table.name


def test_a_changed_partition_is_searchable_once_its_index_is_derived(
    corpus_warehouse: Warehouse,
) -> None:
    row = contribution("a6", "Lighthouse levies are a zeppelin of a tax.", 2023)
    publish(corpus_warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [row]))
    summary = refresh_derived(corpus_warehouse, [SearchIndex()])
    assert summary.derived == 1  # only (pp_text, Commons, 2023) was indexed again
    refresh_views(corpus_warehouse)
    with duckdb.connect(str(corpus_warehouse.duckdb_path), read_only=True) as con:
        found = con.execute("select contribution_id from search_contributions('Zeppelins')")
        assert found.fetchall() == [("a6",)]
        (n,) = con.execute("select count(*) from search_docs").fetchone()
    assert n == sum(len(texts) for texts in CORPUS.values()) + 1


def test_the_search_version_names_the_installed_duckdb() -> None:
    """The version is a literal (a no-op run must not import DuckDB to read it): it must follow
    the pinned duckdb, whose fts extension tokenises."""
    import duckdb

    from flows.derived.search_version import DUCKDB

    assert duckdb.__version__ == DUCKDB


def test_every_process_spills_into_a_directory_of_its_own(tmp_path: Path) -> None:
    """Two indexing workers spilling into one `.tmp` crashed both with a segmentation fault
    (TheyWorkForYou partitions of ~90 k contributions, 512 MB limit): each process has its
    own spill directory, removed when it exits."""
    import os
    import subprocess
    import sys
    import time

    script = (
        "from flows.derived.search import connect\n"
        "print(connect(threads=1, memory_limit='64MB')"
        ".sql(\"select current_setting('temp_directory')\").fetchone()[0])\n"
    )
    dirs = [
        subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert dirs[0] != dirs[1]
    assert all("hansard-duckdb-" in d and not Path(d).exists() for d in dirs)  # removed at exit
    # a directory left by a process killed with kill -9 goes when the next one makes its own
    waits = script + "import sys, time; sys.stdout.flush(); time.sleep(60)\n"
    killed = subprocess.Popen(
        [sys.executable, "-c", waits], cwd=tmp_path, stdout=subprocess.PIPE, text=True
    )
    left = killed.stdout.readline().strip() if killed.stdout else ""
    killed.kill()
    killed.wait()
    assert Path(left).is_dir()
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, capture_output=True)
    assert Path(left).is_dir()  # too recent: it might be another namespace's live process
    hour_ago = time.time() - 3700
    os.utime(left, (hour_ago, hour_ago))
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, capture_output=True)
    assert not Path(left).exists()

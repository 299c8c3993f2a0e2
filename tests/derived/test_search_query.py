"""The search query language (sql/search_query.sql, sql/search_bm25.sql): words ANDed, OR
between alternatives, "quoted phrases" in order and adjacent, -exclusions, and clear errors for
bad syntax; on our own sentences, then on the real corpus against an independent count."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl
import pytest

from flows.core.publish import publish, read_table
from flows.core.views import load_fts, refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.refresh import SearchIndex, refresh_derived
from flows.derived.search import english_stopwords
from tests.derived.test_search_index import contribution
from transforms.schema import CONTRIBUTIONS, frame

TEXTS = {
    "p1": "The child poverty figures rose again this winter.",
    "p2": "Poverty among every child in the county has fallen.",
    "p3": "Child poverty: the Minister for Health must act.",
    "p4": "Hunger, not poverty, is what the food banks report.",
    "p5": "The minister health visit was cancelled, said the child.",
    "p6": "This is cost-of-living, and the living cost matters.",
    "p7": "Child poverty and covid: the child poverty action group.",
    # stems that change a word's second letter (lying: lie) or keep one letter (IEDs: i)
    "p8": "Lying witnesses saw IEDs explode beside the dying patients.",
}


@pytest.fixture
def con(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    rows = [contribution(cid, text) for cid, text in TEXTS.items()]
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, rows))
    refresh_derived(warehouse, [SearchIndex()])
    refresh_views(warehouse)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as connection:
        yield connection


def found(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    got = con.execute("select contribution_id from search_bm25(?)", [query]).fetchall()
    return {cid for (cid,) in got}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("child poverty", {"p1", "p2", "p3", "p7"}),  # both words, anywhere
        ('"child poverty"', {"p1", "p3", "p7"}),  # adjacent, in order (not p2)
        ('"poverty child"', set()),
        ("hunger OR covid", {"p4", "p7"}),
        ("poverty hunger OR covid", {"p4", "p7"}),  # poverty AND (hunger OR covid)
        ('"child poverty" -covid', {"p1", "p3"}),
        ('poverty -"child poverty"', {"p2", "p4"}),
        ('"minister for health"', {"p3"}),  # the stopword keeps its place: not p5
        ('"minister of health"', {"p3"}),  # any stopword in that place
        ('"minister health"', {"p5"}),
        ("cost-of-living", {"p6"}),  # one word of three tokens: a phrase
        ('"living of cost"', set()),
        ('"living cost"', {"p6"}),
        ("the", set()),  # a stopword alone matches nothing
        ("the poverty", {"p1", "p2", "p3", "p4", "p7"}),
        ("poverty -the", {"p1", "p2", "p3", "p4", "p7"}),  # nothing to exclude
        ('"child poverty" OR hunger -covid', {"p1", "p3", "p4"}),
        ("zeppelin OR hunger", {"p4"}),
        ('the -"child poverty"', set()),  # nothing to find: not everything but the phrase
        (" ".join(["poverty"] * 64), {"p1", "p2", "p3", "p4", "p7"}),  # 64 clauses: the most
        ('"lie witness"', {"p8"}),  # lying, witnesses: stems lie, wit
        ('"die patient"', {"p8"}),
        ('"ieds explode"', {"p8"}),  # a one-letter stem
        ('"ieds exploding"', {"p8"}),
        ('"lie patient"', set()),
    ],
)
def test_matching(con: duckdb.DuckDBPyConnection, query: str, expected: set[str]) -> None:
    assert found(con, query) == expected


def test_search_query_shows_how_a_query_is_read(con: duckdb.DuckDBPyConnection) -> None:
    got = con.execute(
        "select clause, alternative, negated, phrase, term, term_offset, terms "
        """from search_query('"Minister for Health" benefit OR welfare -covid')"""
    ).fetchall()
    assert got == [
        (1, 1, False, True, "minist", 0, 2),
        (1, 1, False, True, "health", 2, 2),
        (2, 2, False, False, "benefit", 0, 1),
        (2, 4, False, False, "welfar", 0, 1),
        (3, 5, True, False, "covid", 0, 1),
    ]


def test_scores_and_filters_keep_to_their_rules(con: duckdb.DuckDBPyConnection) -> None:
    and_scores = dict(
        con.execute("select contribution_id, score from search_bm25('child poverty')").fetchall()
    )
    phrase = dict(
        con.execute(
            """select contribution_id, score from search_bm25('"child poverty"')"""
        ).fetchall()
    )
    # a phrase scores as its words do: the same BM25 terms, fewer matches
    assert phrase == {cid: and_scores[cid] for cid in phrase}
    excluded = dict(
        con.execute("select contribution_id, score from search_bm25('poverty -covid')").fetchall()
    )
    alone = dict(
        con.execute("select contribution_id, score from search_bm25('poverty')").fetchall()
    )
    assert excluded == {cid: s for cid, s in alone.items() if cid != "p7"}
    assert found(con, "poverty") == {"p1", "p2", "p3", "p4", "p7"}
    lords = con.execute("select count(*) from search_bm25('poverty', in_house := 'Lords')")
    assert lords.fetchone() == (0,)
    later = con.execute(
        "select count(*) from search_top('poverty', date_from := DATE '2024-03-06')"
    )
    assert later.fetchone() == (0,)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "the query is empty"),
        ("   ", "the query is empty"),
        ('"child poverty', 'unbalanced "'),
        ("OR poverty", "OR must stand between two words or phrases"),
        ("poverty OR", "OR must stand between two words or phrases"),
        ("child OR OR poverty", "OR must stand between two words or phrases"),
        ("child OR -poverty", "OR cannot join an excluded (-) word or phrase"),
        ("child - poverty", '"-" has nothing to search for'),
        ('child ""', '"""" has nothing to search for'),
        ("-poverty", "nothing to search for but exclusions"),
        ('-"child poverty" -covid', "nothing to search for but exclusions"),
        (" ".join(f"w{i}" for i in range(65)), "more than 64 ANDed words or phrases"),
    ],
)
def test_bad_syntax_is_a_clear_error(
    con: duckdb.DuckDBPyConnection, query: str, reason: str
) -> None:
    for macro in ("search_query(?)", "search_bm25(?)", "search_top(?)", "search_contributions(?)"):
        with pytest.raises(duckdb.Error) as error:
            con.execute(f"select * from {macro}", [query]).fetchall()
        message = str(error.value)
        assert f"search: {reason}" in message, message
        if query.strip():
            assert repr(query).strip("'\"") in message or query in message


def test_null_query_is_an_error(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="search: the query is empty"):
        con.execute("select * from search_top(null)").fetchall()


# --- the real corpus: TheyWorkForYou's "child poverty", counted independently ----------------


def test_stems_keep_their_words_first_two_letters(corpus_warehouse: tuple[Warehouse, Any]) -> None:
    """search_matches reads, from a phrase candidate's text, only the tokens whose first two
    letters (one, for a one-letter stem) are those of a phrase term, or dying, lying, tying:
    true of every word of the corpus and of Snowball's exceptional forms."""
    wh, _ = corpus_warehouse
    texts = read_table(wh, CONTRIBUTIONS).select("text")
    words = {t for (text,) in texts.iter_rows() for t in _tokens(text or "")}
    words |= {"dying", "lying", "tying", "skies", "news", "gently", "ieds", "aed", "cry", "ties"}
    with duckdb.connect() as con:
        load_fts(con)
        broken = con.execute(
            """
            select w, s from (select w, stem(w, 'english') as s from unnest($w) as u(w))
            where not (
                left(w, 2) = left(s, 2)
                or (length(s) = 1 and left(w, 1) = s)
                or (w, s) in (('dying', 'die'), ('lying', 'lie'), ('tying', 'tie'))
            )
            """,
            {"w": sorted(words)},
        ).fetchall()
    assert len(words) > 5000
    assert broken == []


def _tokens(text: str) -> list[str]:
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
    return re.findall("[a-z]+", plain)


def phrase_holders(texts: pl.DataFrame, words: tuple[str, ...]) -> set[str]:
    """Contributions whose tokens hold `words`' stems adjacent and in order: our own count, with
    fts's stemmer asked once per distinct token (stopwords are not stems of anything here)."""
    tokenised = {cid: _tokens(text) for cid, text in texts.iter_rows()}
    distinct = sorted({t for toks in tokenised.values() for t in toks})
    with duckdb.connect() as con:
        load_fts(con)
        stems = dict(
            con.execute(
                "select t, stem(t, 'english') from unnest($t) as u(t)", {"t": distinct}
            ).fetchall()
        )
    stop = set(english_stopwords())
    want = [stems.get(w, w) for w in words]
    held = set()
    for cid, toks in tokenised.items():
        s = [None if t in stop else stems[t] for t in toks]
        if any(s[i : i + len(want)] == want for i in range(len(s) - len(want) + 1)):
            held.add(cid)
    return held


def test_child_poverty_on_the_corpus(corpus_warehouse: tuple[Warehouse, Any]) -> None:
    wh, _ = corpus_warehouse
    texts = read_table(wh, CONTRIBUTIONS).select("contribution_id", "text")
    expected = phrase_holders(texts, ("child", "poverty"))
    assert expected, "the corpus has the phrase"
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as con:
        phrase = found(con, '"child poverty"')
        both = found(con, "child poverty")
        either = found(con, "child OR poverty")
        without = found(con, 'poverty -"child poverty"')
        snippets = con.execute(
            """select snippet from search_top('"child poverty"', 5)"""
        ).fetchall()
    assert phrase == expected
    assert phrase < both < either
    assert without == poverty_holders(texts) - phrase
    assert all("<b>" in s and "</b>" in s for (s,) in snippets)


def poverty_holders(texts: pl.DataFrame) -> set[str]:
    """Contributions holding a word whose stem is `poverti` (poverty, poverties)."""
    return {
        cid
        for cid, text in texts.iter_rows()
        if any(t in ("poverty", "poverties") for t in _tokens(text))
    }

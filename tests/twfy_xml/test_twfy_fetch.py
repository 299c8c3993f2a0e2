"""Fetching TheyWorkForYou XML over HTTP (flows/twfy_fetch.py) from a loopback replay server:
our own Apache-style directory listings, bodies read at run time from the real corpus files
(nothing copied into the repo), real Parquet and DuckDB at the end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.core import raw_zone
from flows.core.warehouse import Warehouse
from flows.sources.twfy_xml.web import LISTING_SOURCE, in_range, listed_files
from tests.conftest import corpus_path
from tests.support.replay_server import ReplayServer, Reply, Routes
from tests.support.runs import fetch_twfy
from transforms.twfy_xml.files import SOURCE

HTML = (("Content-Type", "text/html;charset=UTF-8"),)
XML = (("Content-Type", "application/xml"),)
# folder → the corpus files its listing names (all served)
SERVED = {
    "debates": [
        "debates2009-10-27a.xml",
        "debates2009-10-27b.xml",
        "debates2009-10-27c.xml",
        "debates2009-10-27d.xml",
        "debates2023-03-28d.xml",  # out of range
    ],
    "westminhall": ["westminster2009-10-27a.xml"],
    "lordspages": ["daylord2009-10-26a.xml"],
    "wms": [
        "ministerial2009-10-26a.xml",
        "ministerial2009-10-26b.xml",
        "ministerial2009-10-26c.xml",
    ],
    "lordswms": ["lordswms2009-10-27a.xml"],
    "lordswrans": ["lordswrans2009-10-29a.xml"],  # out of range
    # first date 20 October (out of range), sitting date 27 October (in)
    "standing": ["standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml"],
}
# listed but never served, all out of range: fetching one would be a filter bug
UNSERVED_OUT_OF_RANGE = {
    "debates": ["debates2009-10-20a.xml", "debates2009-10-28a.xml"],
    "standing": ["standing2009-10-27_CHILDPOV_06-0_2009-10-29a.xml"],
}
START, END = date(2009, 10, 21), date(2009, 10, 27)
IN_RANGE = 4 + 1 + 1 + 3 + 1 + 1  # debates a–d, westminster, daylord, ministerial a–c, …


def apache_index(folder: str, names: list[str]) -> bytes:
    """A directory index as Apache's mod_autoindex writes it (sort links, parent, rows)."""
    path = f"/pwdata/scrapedxml/{folder}"
    rows = "\n".join(
        f'<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td>'
        f'<td><a href="{n}">{n}</a></td><td align="right">2009-10-28 09:{i:02d}  </td>'
        f'<td align="right"> 60K</td><td>&nbsp;</td></tr>'
        for i, n in enumerate([*names, f"{folder}_changedates.txt"])
    )
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of {path}</title>
 </head>
 <body>
<h1>Index of {path}</h1>
  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/pwdata/scrapedxml/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
{rows}
   <tr><th colspan="5"><hr></th></tr>
</table>
<address>Apache/2.4.41 (Ubuntu) Server at www.theyworkforyou.com Port 443</address>
</body></html>
""".encode()  # noqa: E501


def routes(served: dict[str, list[str]], unserved: dict[str, list[str]]) -> Routes:
    r = Routes()
    for folder in sorted(set(served) | set(unserved)):
        names = served.get(folder, []) + unserved.get(folder, [])
        r.add_reply(
            f"/pwdata/scrapedxml/{folder}/", None, Reply(200, apache_index(folder, names), HTML)
        )
        for name in served.get(folder, []):
            body = corpus_path("twfy", name).read_bytes()  # at run time, never copied
            r.add_reply(f"/pwdata/scrapedxml/{folder}/{name}", None, Reply(200, body, XML))
    return r


def _rows(wh: Warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_listing_parser_and_date_filter() -> None:
    url = "http://example.org/pwdata/scrapedxml/standing/"
    names = SERVED["standing"] + UNSERVED_OUT_OF_RANGE["standing"]
    found = listed_files(url, apache_index("standing", names).decode())
    assert [u for u, _ in found] == [url + n for n in names]  # sort/parent/txt links ignored
    kept = in_range(found, START, END)
    assert [f.name for _, f in kept] == SERVED["standing"]  # the LAST date in the name counts
    assert kept[0][1].sitting_date == date(2009, 10, 27)


@pytest.mark.corpus
def test_fetch_range_versions_retry_raw_and_noop_rerun(warehouse: Warehouse) -> None:
    faults = [{"match": "debates2009-10-27b.xml", "kind": "status", "status": 500, "times": 1}]
    with ReplayServer(routes(SERVED, UNSERVED_OUT_OF_RANGE), faults=faults) as srv:
        base = f"{srv.url}/pwdata"
        first = fetch_twfy(START, END, None, str(warehouse.root), base, 50.0, 4)
        log = [r.path for r in srv.requests]
        # 7 listings, the in-range files, one retry after the 500; nothing out of range
        assert sum(p.endswith("/") for p in log) == 7
        files = [p.rsplit("/", 1)[1] for p in log if p.endswith(".xml")]
        assert sorted(files) == sorted(
            [n for f, ns in SERVED.items() for n in ns if "2009-10-2" in n and "29a" not in n]
            + ["debates2009-10-27b.xml"]
        )
        assert len(files) == IN_RANGE + 1
        assert srv.hits("debates2009-10-27b.xml") == 2  # the 500, then the retry
        assert (first.inputs_seen, first.inputs_new, first.rejects) == (IN_RANGE, IN_RANGE, 0)

        # raw zone: every body byte for byte, keyed by request, with its status and URL
        entries = raw_zone.entries(warehouse, SOURCE)
        assert len(entries) == IN_RANGE
        for e in entries:
            name = e.original_path.rsplit("/", 1)[1]
            assert e.original_path.startswith(base + "/scrapedxml/")
            assert e.document_key == f"GET {e.original_path[len(base) :]}?"
            assert e.request["status"] == 200
            assert e.request["content_type"] == "application/xml"
            assert raw_zone.read_bytes(warehouse, e) == corpus_path("twfy", name).read_bytes()
        retried = [e for e in entries if e.original_path.endswith("debates2009-10-27b.xml")]
        assert retried[0].request["attempts"] == 2
        assert len(raw_zone.entries(warehouse, LISTING_SOURCE)) == 7
        # the listing pages are raw_inputs rows too (their own raw-zone folder)
        assert _rows(
            warehouse,
            "select count(*), count(*) filter (content_type like 'text/html%') from raw_inputs "
            f"where source = '{LISTING_SOURCE}'",
        ) == [(7, 7)]

        # published: version d only for the Commons on 27 October, c only for statements
        assert _rows(
            warehouse,
            "select distinct regexp_extract(source_ref, '([a-z]+[0-9-]+[a-z])\\.xml', 1)"
            " from contributions where location = 'Commons Chamber'",
        ) == [("debates2009-10-27d",)]
        assert _rows(
            warehouse,
            "select distinct regexp_extract(source_ref, '([a-z]+[0-9-]+[a-z])\\.xml', 1)"
            " from contributions where source_ref like '%ministerial%'",
        ) == [("ministerial2009-10-26c",)]
        assert _rows(
            warehouse, "select location, count(*) > 0 from contributions group by 1 order by 1"
        ) == [
            ("Commons Chamber", True),
            ("Lords Chamber", True),
            ("Public Bill Committees", True),
            ("Westminster Hall", True),
            ("Written Statements", True),
        ]
        assert (
            _rows(warehouse, "select count(*) from contributions where source_ref like '%2023%'")[
                0
            ][0]
            == 0
        )
        redirects = _rows(warehouse, "select count(*) from id_redirects")[0][0]
        assert redirects > 0  # a–c of 27 October redirect to d
        contributions = _rows(warehouse, "select count(*) from contributions")[0][0]

        # a no-change re-run: the listing requests only, no new raw entries, same tables
        srv.reset()
        again = fetch_twfy(START, END, None, str(warehouse.root), base, 50.0, 4)
        assert [r.path.endswith("/") for r in srv.requests] == [True] * 7
        assert (again.inputs_new, again.inputs_unchanged, again.rejects) == (0, IN_RANGE, 0)
        assert len(raw_zone.entries(warehouse, SOURCE)) == IN_RANGE
        assert len(raw_zone.entries(warehouse, LISTING_SOURCE)) == 7
        assert _rows(warehouse, "select count(*) from contributions")[0][0] == contributions
        assert _rows(warehouse, "select count(*) from id_redirects")[0][0] == redirects


@pytest.mark.corpus
def test_persistent_404_is_a_fetch_failed_reject_and_the_rest_is_published(
    warehouse: Warehouse,
) -> None:
    served = {"debates": SERVED["debates"][3:4], "lordswms": SERVED["lordswms"]}
    missing = {"lordswms": ["lordswms2009-10-26a.xml"]}  # listed, in range, always 404
    with ReplayServer(routes(served, missing)) as srv:
        base = f"{srv.url}/pwdata"
        summary = fetch_twfy(
            "2009-10-26", "2009-10-27", ["debates", "lordswms"], str(warehouse.root), base, 50.0, 2
        )
        assert srv.hits("lordswms2009-10-26a.xml") == 1  # 404 is not retried
        assert (summary.inputs_seen, summary.inputs_new, summary.rejects) == (3, 2, 1)
        url = f"{base}/scrapedxml/lordswms/lordswms2009-10-26a.xml"
        assert _rows(warehouse, "select reason, source_ref, detail from rejects") == [
            ("fetch_failed", url, f"{url}: HTTP 404")
        ]
        assert _rows(
            warehouse, "select location, count(*) > 0 from contributions group by 1 order by 1"
        ) == [("Commons Chamber", True), ("Written Statements", True)]


@pytest.mark.corpus
def test_twfy_xml_alone_in_the_daily_run(tmp_path: Path) -> None:
    """`sources.enabled = ["twfy_xml"]`: the daily run fetches from the last fetched sitting
    day minus the correction window to today, from the scrapedxml listings."""
    from flows.config import load_config
    from flows.deployments import daily_jobs, run_each

    wh = Warehouse.at(tmp_path / "wh")
    before_window = {"debates": ["debates2009-10-20a.xml"]}  # listed, never served
    with ReplayServer(routes(SERVED, before_window)) as srv:
        base = f"{srv.url}/pwdata"
        first = fetch_twfy("2009-10-26", "2009-10-26", ["wms"], str(wh.root), base, 50.0, 4)
        assert first.inputs_new == 3  # ministerial a-c of 26 October: the last fetched day
        config = tmp_path / "h.toml"
        config.write_text(
            f'[warehouse]\nroot = "{wh.root}"\n[sources]\nenabled = ["twfy_xml"]\n'
            f'[twfy_xml]\nbase_url = "{base}"\ncorrection_days = 5\nmax_rps = 50.0\n'
        )
        cfg = load_config(config, env={})
        jobs = daily_jobs(cfg)
        assert list(jobs) == ["twfy_xml"] and jobs["twfy_xml"].params["start"] == "2009-10-21"
        srv.reset()
        (summary,) = run_each(jobs, cfg).values()
    fetched = sorted(r.path.rsplit("/", 1)[1] for r in srv.requests if r.path.endswith(".xml"))
    # everything listed from 21 October on, but what was already stored; nothing before
    assert "debates2009-10-20a.xml" not in fetched and "ministerial2009-10-26a.xml" not in fetched
    assert {"debates2009-10-27d.xml", "lordswrans2009-10-29a.xml", "debates2023-03-28d.xml"} <= (
        set(fetched)
    )
    assert summary.contributions > 0 and summary.rejects == 0
    sources = _rows(wh, "select distinct source from contributions")
    assert sources == [("twfy_xml",)]

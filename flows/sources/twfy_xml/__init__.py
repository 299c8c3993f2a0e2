"""TheyWorkForYou / ParlParse XML (1918 onwards): debates, Westminster Hall, Lords, written
statements and answers, Public Bill Committees, divisions with their votes; from a mirror
folder (`hansard ingest twfy`) or the scrapedxml listings over HTTP (`hansard ingest
twfy-web`, and the daily run)."""

from __future__ import annotations

from flows.core.source import Action, Ref, Source

SOURCE = Source(
    name="twfy_xml",
    title="TheyWorkForYou ParlParse XML",
    summary=(
        "ParlParse day files, every version kept; each day is published from its latest "
        "version, with divisions, votes and the redirects of superseded versions."
    ),
    raw_sources=("twfy_xml", "twfy_listing"),
    identity_raw=("twfy_xml",),
    tables=("debates", "contributions", "rejects", "divisions", "division_votes", "id_redirects"),
    items=Ref("flows.sources.twfy_xml.work:items"),
    parse=Ref("flows.sources.twfy_xml.work:parse"),
    scope=Ref("flows.sources.twfy_xml.work:scope"),
    actions={
        "ingest": Action("ingest-twfy", Ref("flows.sources.twfy_xml.work:acquire")),
        "fetch": Action("fetch-twfy", Ref("flows.sources.twfy_xml.work:fetch")),
    },
    settings=Ref("flows.sources.twfy_xml.settings:Settings"),
    cli=Ref("flows.sources.twfy_xml.cli:register"),
    daily=Ref("flows.sources.twfy_xml.work:daily"),
    window=Ref("flows.sources.twfy_xml.work:window_job"),
)

"""Transcript text: Parallel Parliament pages in the structured "Portrait" format, from files
or folders (`hansard ingest text PATH...`), and from the inbox folder in the daily run."""

from __future__ import annotations

from flows.core.source import Action, Ref, Source

SOURCE = Source(
    name="pp_text",
    title="transcript text (Parallel Parliament pages)",
    summary=(
        "Transcript pages in the structured Portrait format, stored byte for byte; a page's "
        "identity is its URL line, else its path, and a changed page supersedes the older one."
    ),
    raw_sources=("pp_text",),
    tables=("debates", "contributions", "rejects"),
    items=Ref("flows.sources.pp_text.work:items"),
    parse=Ref("flows.sources.pp_text.work:parse"),
    plan=Ref("flows.sources.pp_text.work:plan"),
    actions={"ingest": Action("ingest-text", Ref("flows.sources.pp_text.work:acquire"))},
    settings=Ref("flows.sources.pp_text.settings:Settings"),
    cli=Ref("flows.sources.pp_text.cli:register"),
    daily=Ref("flows.sources.pp_text.work:daily"),
)

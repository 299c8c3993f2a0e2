"""The official Hansard API: sitting days from the month calendars, contributions from the
contribution search, debate Overviews and trees from the debate endpoint; fetched politely and
incrementally, with a correction window (`hansard ingest api`)."""

from __future__ import annotations

from flows.core.source import Action, Ref, Source

SOURCE = Source(
    name="hansard_api",
    title="the official Hansard API",
    summary=(
        "Sitting days per house, each published from its latest complete fetch (a day "
        "snapshot); a re-fetched day whose responses changed replaces that day's rows."
    ),
    raw_sources=("hansard_api",),
    tables=("debates", "contributions", "rejects"),
    items=Ref("flows.sources.hansard_api.work:items"),
    parse=Ref("flows.sources.hansard_api.work:parse"),
    scope=Ref("flows.sources.hansard_api.work:scope"),
    actions={
        "ingest": Action(
            "ingest-api",
            Ref("flows.sources.hansard_api.work:acquire"),
            Ref("flows.sources.hansard_api.work:describe"),
        )
    },
    settings=Ref("flows.sources.hansard_api.settings:Settings"),
    cli=Ref("flows.sources.hansard_api.cli:register"),
    daily=Ref("flows.sources.hansard_api.work:daily"),
    window=Ref("flows.sources.hansard_api.work:window_job"),
)

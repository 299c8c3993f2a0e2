"""The Commons and Lords Votes APIs: every division with its named votes, member ids and
parties, fetched by date range with a correction window (`hansard ingest votes`)."""

from __future__ import annotations

from flows.core.source import Action, Ref, Source

SOURCE = Source(
    name="votes_api",
    title="the Commons and Lords Votes APIs",
    summary=(
        "Divisions per house and day from the Votes APIs' search, each division's body fetched "
        "when it is new or its published record changed; a day is published from its latest "
        "complete fetch and replaces that day's divisions and votes."
    ),
    raw_sources=("votes_api",),
    tables=("divisions", "division_votes", "rejects"),
    items=Ref("flows.sources.votes_api.work:items"),
    parse=Ref("flows.sources.votes_api.work:parse"),
    scope=Ref("flows.sources.votes_api.work:scope"),
    actions={
        "ingest": Action(
            "ingest-votes",
            Ref("flows.sources.votes_api.work:acquire"),
            Ref("flows.sources.votes_api.work:describe"),
        )
    },
    settings=Ref("flows.sources.votes_api.settings:Settings"),
    cli=Ref("flows.sources.votes_api.cli:register"),
    daily=Ref("flows.sources.votes_api.work:daily"),
    window=Ref("flows.sources.votes_api.work:window_job"),
)

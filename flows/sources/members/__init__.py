"""Members: the Members API dimension (members, their names, parties and seats with dates) and
the TheyWorkForYou id mapping from the ParlParse members files (`hansard members refresh`, on
its own weekly schedule); `hansard members resolve` re-resolves speakers."""

from __future__ import annotations

from flows.core.source import Action, Ref, Source

SOURCE = Source(
    name="members",
    title="the Members API and the ParlParse members files",
    summary=(
        "Members, their names, parties and seats with dates, derived whole from every stored "
        "refresh; the ParlParse members files map TheyWorkForYou ids to members."
    ),
    raw_sources=("members_api", "twfy_members"),
    identity_raw=("twfy_members",),
    tables=("members", "member_parties", "member_houses", "member_names"),
    items=Ref("flows.sources.members.work:items"),
    parse=Ref("flows.sources.members.work:parse"),
    scope=Ref("flows.sources.members.work:scope"),
    actions={
        "refresh": Action(
            "refresh-members",
            Ref("flows.sources.members.work:refresh"),
            Ref("flows.sources.members.work:describe"),
        ),
        "resolve": Action(
            "resolve-speakers", None, Ref("flows.sources.members.work:describe_resolve")
        ),
    },
    settings=Ref("flows.sources.members.settings:Settings"),
    cli=Ref("flows.sources.members.cli:register"),
    schedules=Ref("flows.sources.members.work:schedules"),
)

-- unresolved_speakers: which printed speakers are not yet tied to a member, and why? For
-- coverage work: every speaker as printed (source, speaker_key, speaker_display) whose
-- contributions have no member_id, with the reason (`ambiguous: N candidates …` with the
-- candidate ids, or `no match: …`), how many contributions, the houses and the first and last
-- sitting date. Collective and procedural rows (no speaker to resolve) are left out.
-- Grain: one row per source, speaker_key, speaker_display and reason; most contributions first.
create or replace view unresolved_speakers as
with

resolution_rows as (
    select * from speaker_resolutions
),

contribution_rows as (
    select * from contributions
),

unresolved as (
    select
        c.source,
        c.house,
        c.speaker_key,
        c.speaker_display,
        c.sitting_date,
        r.reason,
        r.candidates
    from resolution_rows as r
    inner join contribution_rows as c on r.contribution_id = c.contribution_id
    where r.member_id is null and r.reason not like 'no speaker%'
),

per_speaker as (
    select
        source,
        speaker_key,
        speaker_display,
        split_part(reason, ':', 1) as reason_kind,
        reason,
        max(candidates) as candidates,
        string_agg(distinct house, ', ' order by house) as houses,
        count(*) as contribution_count,
        min(sitting_date) as first_date,
        max(sitting_date) as last_date
    from unresolved
    group by source, speaker_key, speaker_display, reason
),

final as (
    select * from per_speaker
    order by contribution_count desc, source, speaker_key, speaker_display, reason
)

select * from final;

-- interventions: who intervenes on whom? next_speaker_key spoke straight after speaker_key,
-- counted per ordered pair. Turns follow each other by ordinal within one excerpt of a
-- debate (one raw input), and not across a "Later in debate" gap. Collective rows
-- ("Several hon. Members rose") are skipped, so A, collective, B is a pair A -> B. The same
-- speaker twice in a row (a dropped contribution between two blocks) is not a pair.
-- Grain: one row per ordered pair of different speakers. Key: speaker_key, next_speaker_key.
create or replace view interventions as
with

contribution_rows as (
    select * from contributions
),

-- each row's next event in its excerpt: the next row that names a speaker or follows a gap.
-- One window (no running count of gaps to partition a second one by): 5.2 → 2.7 s at
-- 7.6×10^6 contributions, the same rows
next_events as (
    select
        debate_id,
        sitting_date,
        speaker_key,
        lead(
            case
                when speaker_key is not null or coalesce(after_gap, false)
                    then {'key': speaker_key, 'gap': coalesce(after_gap, false)}
            end
            ignore nulls
        ) over (partition by debate_id, raw_sha256 order by ordinal) as next_event
    from contribution_rows
),

-- a named speaker followed, with no gap, by another
changes_of_speaker as (
    select
        debate_id,
        sitting_date,
        speaker_key,
        next_event.key as next_speaker_key
    from next_events
    where
        speaker_key is not null
        and not next_event.gap
        and next_event.key <> speaker_key
),

final as (
    select
        speaker_key,
        next_speaker_key,
        count(*) as pair_count,
        count(distinct debate_id) as debate_count,
        min(sitting_date) as first_date,
        max(sitting_date) as last_date
    from changes_of_speaker
    group by speaker_key, next_speaker_key
)

select * from final;

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

stretches as (
    select
        debate_id,
        raw_sha256,
        ordinal,
        sitting_date,
        speaker_key,
        sum(case when after_gap then 1 else 0 end) over (
            partition by debate_id, raw_sha256
            order by ordinal
            rows between unbounded preceding and current row
        ) as stretch
    from contribution_rows
),

named_turns as (
    select * from stretches
    where speaker_key is not null
),

turn_pairs as (
    select
        debate_id,
        sitting_date,
        speaker_key,
        lead(speaker_key) over (
            partition by debate_id, raw_sha256, stretch order by ordinal
        ) as next_speaker_key
    from named_turns
),

changes_of_speaker as (
    select * from turn_pairs
    where next_speaker_key is not null and next_speaker_key <> speaker_key
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

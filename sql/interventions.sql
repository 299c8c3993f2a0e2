-- interventions: who intervenes on whom? next_speaker_key spoke straight after speaker_key,
-- counted per ordered pair. Turns follow each other by ordinal within one excerpt of a
-- debate (one raw input), and not across a "Later in debate" gap. Collective rows
-- ("Several hon. Members rose") are skipped, so A, collective, B is a pair A -> B. The same
-- speaker twice in a row (a dropped contribution between two blocks) is not a pair.
-- Grain: one row per ordered pair of different speakers. Key: speaker_key, next_speaker_key.
create or replace view interventions as
with

-- counted per contributions partition when it was published (flows/derived/pairs.py): summing
-- the partitions reads thousands of rows, where a window over every contribution took 3.3 s
-- at 7.6×10^6 contributions
pair_rows as (
    select * from intervention_pairs
),

final as (
    select
        speaker_key,
        next_speaker_key,
        cast(sum(pair_count) as bigint) as pair_count,
        cast(sum(debate_count) as bigint) as debate_count,
        min(first_date) as first_date,
        max(last_date) as last_date
    from pair_rows
    group by speaker_key, next_speaker_key
)

select * from final;

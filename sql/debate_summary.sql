-- debate_summary: what happened in each debate? Where and when it sat, its title and
-- department, how many contributions, distinct speakers (people: contributions_enriched's
-- person_key) and words, and who spoke first (with their member id when resolved).
-- The first speaker is the named speaker (collective rows skipped) with the lowest ordinal;
-- excerpts of one debate from several pages each start at ordinal 1, ties go to the lowest
-- contribution_id. A debate with no contributions has zero counts and no first speaker.
-- Grain: one row per debate. Key: debate_id.
create or replace view debate_summary as
with

debate_rows as (
    select * from debates
),

-- counted per contributions partition when it was published (flows/derived/stats.py): the
-- aggregation over every contribution through contributions_enriched took 2.5 s at 7.6×10^6
stat_rows as (
    select * from debate_stats
),

final as (
    select
        d.debate_id,
        d.house,
        d.location,
        d.sitting_date,
        d.title,
        d.department,
        d.stage,
        coalesce(t.contribution_count, 0) as contribution_count,
        coalesce(t.speaker_count, 0) as speaker_count,
        coalesce(t.word_count, 0) as word_count,
        t.first_speaker_key,
        t.first_speaker_name,
        t.first_speaker_member_id
    from debate_rows as d
    left join stat_rows as t on d.debate_id = t.debate_id
)

select * from final;

-- sitting_days: what did each house do on each sitting day, in each location? Debates,
-- contributions, distinct speakers (people: contributions_enriched.person_key, so one person
-- printed two ways counts once and two people with one name twice) and words.
-- Grain: one row per house, sitting date and location. Key: house, sitting_date, location.
create or replace view sitting_days as
with

debate_rows as (
    select * from debates
),

contribution_rows as (
    select * from contributions_enriched
),

debates_per_day as (
    select
        house,
        sitting_date,
        location,
        count(*) as debate_count
    from debate_rows
    group by house, sitting_date, location
),

contributions_per_day as (
    select
        house,
        sitting_date,
        location,
        count(*) as contribution_count,
        count(distinct person_key) as speaker_count,
        cast(sum(word_count) as bigint) as word_count
    from contribution_rows
    group by house, sitting_date, location
),

final as (
    select
        d.house,
        d.sitting_date,
        d.location,
        d.debate_count,
        coalesce(c.contribution_count, 0) as contribution_count,
        coalesce(c.speaker_count, 0) as speaker_count,
        coalesce(c.word_count, 0) as word_count
    from debates_per_day as d
    left join contributions_per_day as c
        on
            d.house is not distinct from c.house
            and d.sitting_date is not distinct from c.sitting_date
            and d.location is not distinct from c.location
)

select * from final;

-- department_activity: how much business did each government department have, and where?
-- Debates, contributions and words by department as printed ('Unknown' when the page gives
-- none) and location (with its house), and the first and last sitting dates.
-- Grain: one row per department and location. Key: department, location.
create or replace view department_activity as
with

debate_rows as (
    select * from debates
),

contribution_rows as (
    select * from contributions
),

debate_totals as (
    select
        debate_id,
        count(*) as contribution_count,
        sum(word_count) as word_count
    from contribution_rows
    group by debate_id
),

debates_with_totals as (
    select
        coalesce(d.department, 'Unknown') as department,
        d.house,
        d.location,
        d.sitting_date,
        coalesce(t.contribution_count, 0) as contribution_count,
        coalesce(t.word_count, 0) as word_count
    from debate_rows as d
    left join debate_totals as t on d.debate_id = t.debate_id
),

final as (
    select
        department,
        location,
        house,
        count(*) as debate_count,
        cast(sum(contribution_count) as bigint) as contribution_count,
        cast(sum(word_count) as bigint) as word_count,
        min(sitting_date) as first_date,
        max(sitting_date) as last_date
    from debates_with_totals
    group by department, location, house
)

select * from final;

-- contribution_details: contributions with speaker details. Every contribution with its
-- debate's title, department and stage, and every speaker column as printed.
-- Grain: one row per contribution. Key: contribution_id.
create or replace view contribution_details as
with

contribution_rows as (
    select * from contributions
),

debate_rows as (
    select * from debates
),

joined as (
    select
        c.contribution_id,
        c.debate_id,
        c.sitting_date,
        c.sitting_year,
        c.house,
        c.location,
        d.title,
        d.department,
        d.stage,
        d.parent_debate_id,
        c.ordinal,
        c.contribution_type,
        c.speaker_key,
        c.speaker_display,
        c.speaker_name,
        c.speaker_office,
        c.constituency,
        c.party,
        c.member_id,
        c.is_virtual,
        c.details_carried,
        c.word_count,
        c.text,
        c.after_gap,
        c.is_truncated,
        c.source_ref
    from contribution_rows as c
    left join debate_rows as d on c.debate_id = d.debate_id
),

final as (
    select * from joined
)

select * from final;

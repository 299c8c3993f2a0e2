-- rejects_summary: what is being rejected, how often, and how recently? Rejects by source
-- and reason, with the number of distinct inputs affected and the first and latest times.
-- Grain: one row per source and reason. Key: source, reason.
create or replace view rejects_summary as
with

reject_rows as (
    select * from rejects
),

per_reason as (
    select
        source,
        reason,
        count(*) as reject_count,
        count(distinct coalesce(raw_sha256, source_ref)) as input_count,
        min(rejected_at) as first_rejected_at,
        max(rejected_at) as latest_rejected_at
    from reject_rows
    group by source, reason
),

final as (
    select * from per_reason
)

select * from final;

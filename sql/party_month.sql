-- party_month: how much did each party say, month by month, in each house? Speeches, words
-- and distinct speakers by house, party as printed ('Unknown' when no party is printed or
-- carried) and calendar month (a DATE, the first of the month). Collective rows are not
-- speeches and are left out.
-- Grain: one row per house, party and month. Key: house, party, month.
create or replace view party_month as
with

contribution_rows as (
    select * from contributions
),

named_speeches as (
    select
        house,
        coalesce(party, 'Unknown') as party,
        cast(date_trunc('month', sitting_date) as date) as month,
        speaker_key,
        word_count
    from contribution_rows
    where speaker_key is not null
),

per_party_month as (
    select
        house,
        party,
        month,
        count(*) as speech_count,
        cast(sum(word_count) as bigint) as word_count,
        count(distinct speaker_key) as speaker_count
    from named_speeches
    group by house, party, month
),

final as (
    select * from per_party_month
)

select * from final;

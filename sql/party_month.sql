-- party_month: how much did each party say, month by month, in each house? Speeches, words
-- and distinct speakers (people: contributions_enriched.person_key) by house, party and
-- calendar month (a DATE, the first of the month). The party is the speaker's party on the
-- sitting date (party_basis `on_date`), else the party as printed (`printed`), else
-- 'Unknown' (party_basis null). Collective and procedural rows are not speeches and are left
-- out.
-- Grain: one row per house, party, party_basis and month. Key: house, party, party_basis,
-- month.
create or replace view party_month as
with

enriched_rows as (
    select * from contributions_enriched
),

speeches as (
    select
        house,
        coalesce(party, 'Unknown') as party,
        party_basis,
        cast(date_trunc('month', sitting_date) as date) as month,
        person_key,
        word_count
    from enriched_rows
    where person_key is not null
),

per_party_month as (
    select
        house,
        party,
        party_basis,
        month,
        count(*) as speech_count,
        cast(sum(word_count) as bigint) as word_count,
        count(distinct person_key) as speaker_count
    from speeches
    group by house, party, party_basis, month
),

final as (
    select * from per_party_month
)

select * from final;

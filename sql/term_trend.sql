-- term_trend(term): how often is a word used over time, by party? Contributions matching the
-- term (as search_contributions finds them) and their words, per calendar month (a DATE, the
-- first of the month) and party as printed ('Unknown' when none).
-- Usage: select * from term_trend('libraries');
-- Grain: one row per month and party with at least one match. Key: month, party.
create or replace macro term_trend(term) as table
with

matches as (
    select * from search_contributions(term)
),

contribution_rows as (
    select * from contributions
),

matched_contributions as (
    select
        cast(date_trunc('month', m.sitting_date) as date) as month,
        coalesce(m.party, 'Unknown') as party,
        c.word_count
    from matches as m
    inner join contribution_rows as c on m.contribution_id = c.contribution_id
),

final as (
    select
        month,
        party,
        count(*) as contribution_count,
        cast(sum(word_count) as bigint) as word_count
    from matched_contributions
    group by month, party
)

select * from final
order by month, party;

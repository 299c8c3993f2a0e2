-- term_trend(query_string): how often is a word used over time, by party? Contributions matching the
-- term (as search_contributions finds them: search_bm25, no text read) and their words, per
-- calendar month (a DATE, the first of the month) and party as printed ('Unknown' when none).
-- Usage: select * from term_trend('libraries');
-- Grain: one row per month and party with at least one match. Key: month, party.
create or replace macro term_trend(query_string) as table
with

matches as (
    select * from search_bm25(query_string)
),

contribution_rows as (
    select * from contributions
),

matched_contributions as (
    select
        cast(date_trunc('month', c.sitting_date) as date) as month,
        coalesce(c.party, 'Unknown') as party,
        c.word_count
    from matches as m
    inner join contribution_rows as c
        on
            m.contribution_id = c.contribution_id
            and m.source = c.source
            and m.house = c.house
            and m.sitting_year = c.sitting_year
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

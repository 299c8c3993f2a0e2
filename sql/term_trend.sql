-- term_trend(query_string): how often is a word used over time, by party? Contributions matching
-- the term (as search_contributions finds them: search_bm25, no text read) and their words, per
-- calendar month (a DATE, the first of the month; null for pages with no date) and party: the
-- speaker's party on the sitting date (party_basis `on_date`), else as printed (`printed`),
-- else 'Unknown' (party_basis null).
-- Usage: select * from term_trend('libraries');
-- Grain: one row per month, party and party_basis with at least one match. Key: month, party,
-- party_basis.
create or replace macro term_trend(query_string) as table
with

matches as materialized (
    select * from search_bm25(query_string)
),

contribution_rows as (
    -- a match's partition by equality (pruned to the partitions of the matches), plus the
    -- contributions of the null partitions (undated pages), which equality cannot join
    select * from contributions
),

undated_rows as (
    select * from contributions
    where house is null or sitting_year is null
),

resolution_rows as (
    select * from speaker_resolutions
),

party_rows as (
    select * from member_parties
),

matched as (
    select
        c.contribution_id,
        c.sitting_date,
        c.party as printed_party,
        c.word_count
    from matches as m
    inner join contribution_rows as c
        on
            m.contribution_id = c.contribution_id
            and m.source = c.source
            and m.house = c.house
            and m.sitting_year = c.sitting_year
    union all
    select
        c.contribution_id,
        c.sitting_date,
        c.party as printed_party,
        c.word_count
    from matches as m
    inner join undated_rows as c
        on m.contribution_id = c.contribution_id and m.source = c.source
    where m.house is null or m.sitting_year is null
),

with_party as (
    select
        mc.contribution_id,
        mc.sitting_date,
        mc.printed_party,
        mc.word_count,
        coalesce(p.party_abbreviation, p.party_name) as party_on_date
    from matched as mc
    left join resolution_rows as r on mc.contribution_id = r.contribution_id
    left join party_rows as p
        on
            r.member_id = p.member_id
            and p.start_date <= mc.sitting_date
            and (p.end_date is null or mc.sitting_date <= p.end_date)
    qualify row_number() over (
        partition by mc.contribution_id order by p.start_date desc nulls last, p.ordinal desc
    ) = 1
),

final as (
    select
        cast(date_trunc('month', sitting_date) as date) as month,
        coalesce(party_on_date, printed_party, 'Unknown') as party,
        case
            when party_on_date is not null then 'on_date'
            when printed_party is not null then 'printed'
        end as party_basis,
        count(*) as contribution_count,
        cast(sum(word_count) as bigint) as word_count
    from with_party
    group by all
)

select * from final
order by month, party, party_basis;

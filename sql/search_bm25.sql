-- search_bm25(query_string, in_house, date_from, date_to, by_member, of_party): every contribution
-- that matches a search, with its BM25 score: search_matches (query syntax, scoring, filters)
-- with each match's contribution_id and sitting_date from search_docs. Unordered.
-- Usage: select * from search_bm25('"rural libraries" -closure', in_house := 'Lords')
--        order by score desc limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_bm25(
    query_string,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

matches as (
    select m.*
    from search_matches(
        query_string,
        in_house := in_house,
        date_from := date_from,
        date_to := date_to,
        by_member := by_member,
        of_party := of_party
    ) as m
),

final as (
    select
        d.contribution_id,
        m.source,
        m.house,
        m.sitting_year,
        d.sitting_date,
        m.doc,
        m.score
    from matches as m
    inner join search_docs as d
        on
            m.doc = d.doc
            and m.source = d.source
            and m.house is not distinct from d.house
            and m.sitting_year is not distinct from d.sitting_year
)

select * from final;

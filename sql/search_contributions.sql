-- search_contributions(query_string, in_house, date_from, date_to, by_member, of_party): every
-- contribution that matches a search, best BM25 score first: search_top with no limit (same
-- query syntax, filters and columns; see search_query, search_bm25 and search_top).
-- Usage: select * from search_contributions('rural libraries', of_party := 'Lab') limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_contributions(
    query_string,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

final as (
    select *
    from search_top(
        query_string,
        n := null,
        in_house := in_house,
        date_from := date_from,
        date_to := date_to,
        by_member := by_member,
        of_party := of_party
    )
)

select * from final;

-- search_top(query_string, n := 20): the n best matches of search_contributions, fetched fast. The
-- top n are chosen from the index alone (search_bm25), and only then joined to contributions
-- and debates, so only the partitions holding those n are read (search_contributions reads the
-- text of every match before a limit can apply). Same columns and order as search_contributions.
-- (search_contributions is not written as search_top(q, null): ranking every match before the
-- join made it ~20 % slower at 10^6 contributions, so the join is written in both.)
-- Usage: select * from search_top('rural libraries', 20);
-- Grain: one row per matching contribution, at most n. Key: contribution_id.
create or replace macro search_top(query_string, n := 20) as table
with

best as (
    select * from search_bm25(query_string)
    order by score desc, contribution_id
    limit n
),

contribution_rows as (
    select * from contributions
),

debate_rows as (
    select * from debates
),

final as (
    select
        b.contribution_id,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        d.title,
        c.text,
        b.score
    from best as b
    inner join contribution_rows as c
        on
            b.contribution_id = c.contribution_id
            and b.source = c.source
            and b.house = c.house
            and b.sitting_year = c.sitting_year
    left join debate_rows as d on c.debate_id = d.debate_id
)

select * from final
order by score desc, contribution_id;

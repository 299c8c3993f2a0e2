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
    -- a match's partition by equality (pruned to the partitions of the matches), plus the
    -- contributions of the null partitions (undated pages), which equality cannot join
    select * from contributions
),

undated_rows as (
    select * from contributions
    where house is null or sitting_year is null
),

debate_rows as (
    select * from debates
),

hits as (
    select
        b.contribution_id,
        b.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        c.text
    from best as b
    inner join contribution_rows as c
        on
            b.contribution_id = c.contribution_id
            and b.source = c.source
            and b.house = c.house
            and b.sitting_year = c.sitting_year
    union all
    select
        b.contribution_id,
        b.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        c.text
    from best as b
    inner join undated_rows as c
        on b.contribution_id = c.contribution_id and b.source = c.source
    where b.house is null or b.sitting_year is null
),

final as (
    select
        h.contribution_id,
        h.debate_id,
        h.sitting_date,
        h.house,
        h.speaker_name,
        h.party,
        d.title,
        h.text,
        h.score
    from hits as h
    left join debate_rows as d on h.debate_id = d.debate_id
)

select * from final
order by score desc, contribution_id;

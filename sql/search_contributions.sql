-- search_contributions(query_string): which contributions mention a word? Full-text search over
-- contributions.text (the search_postings index: English stemming and stopwords, so "fishing"
-- finds "fish"; several words match any of them), best BM25 score first (search_bm25).
-- Usage: select * from search_contributions('rural libraries') limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_contributions(query_string) as table
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

debate_rows as (
    select * from debates
),

hits as (
    select
        m.contribution_id,
        m.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        c.text
    from matches as m
    inner join contribution_rows as c
        on
            m.contribution_id = c.contribution_id
            and m.source = c.source
            and m.house = c.house
            and m.sitting_year = c.sitting_year
    union all
    select
        m.contribution_id,
        m.score,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        c.text
    from matches as m
    inner join undated_rows as c
        on m.contribution_id = c.contribution_id and m.source = c.source
    where m.house is null or m.sitting_year is null
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

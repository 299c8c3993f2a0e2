-- search_contributions(query_string): which contributions mention a word? Full-text search over
-- contributions.text (the search_postings index: English stemming and stopwords, so "fishing"
-- finds "fish"; several words match any of them), best BM25 score first (search_bm25).
-- Usage: select * from search_contributions('rural libraries') limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_contributions(query_string) as table
with

matches as (
    select * from search_bm25(query_string)
),

contribution_rows as (
    select * from contributions
),

debate_rows as (
    select * from debates
),

final as (
    select
        m.contribution_id,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.speaker_name,
        c.party,
        d.title,
        c.text,
        m.score
    from matches as m
    inner join contribution_rows as c
        on
            m.contribution_id = c.contribution_id
            and m.source = c.source
            and m.house = c.house
            and m.sitting_year = c.sitting_year
    left join debate_rows as d on c.debate_id = d.debate_id
)

select * from final
order by score desc, contribution_id;

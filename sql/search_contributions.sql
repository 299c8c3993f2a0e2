-- search_contributions(term): which contributions mention a word? Full-text search over
-- contributions.text (the fts index built by flows/views.py: English stemming and stopwords,
-- so "fishing" finds "fish"; several words match any of them), best BM25 score first.
-- Usage: select * from search_contributions('rural libraries') limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_contributions(term) as table
with

contribution_rows as (
    select * from contributions
),

debate_rows as (
    select * from debates
),

indexed_contributions as (
    select name as contribution_id from fts_main_contribution_text.docs
),

scored as (
    select
        contribution_id,
        fts_main_contribution_text.match_bm25(contribution_id, term) as score
    from indexed_contributions
),

matches as (
    select * from scored
    where score is not null
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
    inner join contribution_rows as c on m.contribution_id = c.contribution_id
    left join debate_rows as d on c.debate_id = d.debate_id
)

select * from final
order by score desc, contribution_id;

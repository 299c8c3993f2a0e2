-- search_bm25(query_string): the BM25 score of every contribution that matches a search, from the
-- search index tables alone (no text read). The query is tokenised as the text was indexed
-- (flows/derived/search.py): lower-cased, accents stripped, split on anything but a-z, English
-- stopwords (table search_stopwords) dropped, Snowball-stemmed; a contribution matches if it
-- holds any of the query's terms and scores the sum over the distinct terms it holds of
--   idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_length / avg_length)),
--   idf = log10((N - df + 0.5) / (df + 0.5) + 1),  k1 = 1.2,  b = 0.75,
-- N and avg_length over every indexed contribution: DuckDB fts's match_bm25, score for score.
-- Usage: select * from search_bm25('rural libraries') order by score desc limit 20;
-- Grain: one row per matching contribution. Key: contribution_id.
create or replace macro search_bm25(query_string) as table
with

query_tokens as (
    select unnest(regexp_split_to_array(lower(strip_accents(cast(query_string as varchar))), '[^a-z]+'))
        as token
),

query_terms as (
    select distinct stem(token, 'english') as query_term
    from query_tokens
    where token <> '' and token not in (select word from search_stopwords)
),

corpus as (
    select
        count(*) as doc_count,
        avg(doc_length) as avg_length
    from search_docs
),

-- files are sorted by term: the join's filter on term skips the other terms' row groups
postings as (
    select
        p.term as posting_term,
        p.contribution_id,
        p.source,
        p.house,
        p.sitting_year,
        p.tf,
        p.doc_length
    from search_postings as p
    inner join query_terms as q on p.term = q.query_term
),

term_weights as (
    select
        posting_term,
        log10(((select doc_count from corpus) - count(*) + 0.5) / (count(*) + 0.5) + 1) as idf
    from postings
    group by posting_term
),

final as (
    select
        p.contribution_id,
        any_value(p.source) as source,
        any_value(p.house) as house,
        any_value(p.sitting_year) as sitting_year,
        sum(
            w.idf * p.tf * (1.2 + 1)
            / (p.tf + 1.2 * (1 - 0.75 + 0.75 * p.doc_length / (select avg_length from corpus)))
        ) as score
    from postings as p
    inner join term_weights as w on p.posting_term = w.posting_term
    group by p.contribution_id
)

select * from final;

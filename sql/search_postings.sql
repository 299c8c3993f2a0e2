-- search_postings: the full-text search index, one row per (stemmed term, contribution) with
-- the term's count and the contribution's indexed length (flows/derived/search.py). A
-- contribution is its partition (source, house, sitting_year) and its number `doc` there:
-- search_docs maps it to contribution_id. Files are sorted by term. Key: term, source, house,
-- sitting_year, doc. Columns: docs/data-dictionary.md.
create or replace view search_postings as
select
    term,
    doc,
    source,
    house,
    sitting_year,
    tf,
    doc_length
from {{ parquet('search_postings') }};

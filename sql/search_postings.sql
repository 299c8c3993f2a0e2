-- search_postings: the full-text search index, one row per (stemmed term, contribution) with
-- the term's count and the contribution's indexed length (flows/derived/search.py). Files are
-- sorted by term. Key: term, contribution_id. Columns: docs/data-dictionary.md.
create or replace view search_postings as
select
    term,
    contribution_id,
    source,
    house,
    sitting_year,
    tf,
    doc_length
from {{ parquet('search_postings') }};

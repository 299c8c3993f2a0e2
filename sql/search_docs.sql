-- search_docs: every indexed contribution and its indexed length (BM25's document count and
-- average length). Key: contribution_id. Columns: docs/data-dictionary.md.
create or replace view search_docs as
select
    contribution_id,
    source,
    house,
    sitting_year,
    doc_length
from {{ parquet('search_docs') }};

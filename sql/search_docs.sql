-- search_docs: every indexed contribution, its number in its partition's postings (doc), its
-- sitting date and its indexed length (BM25's document count and average length). Key:
-- source, house, sitting_year, doc (unique: contribution_id). Columns: docs/data-dictionary.md.
create or replace view search_docs as
select
    doc,
    contribution_id,
    source,
    house,
    sitting_year,
    sitting_date,
    doc_length
from {{ parquet('search_docs') }};

-- debates: one row per debate (a titled item of business on one sitting day and location).
-- Key: debate_id. Columns and types: docs/data-dictionary.md (generated from transforms/schema.py).
create or replace view debates as
select
    debate_id,
    source,
    house,
    location,
    sitting_date,
    sitting_year,
    title,
    department,
    stage,
    parent_debate_id,
    hrs_tag,
    hansard_edition,
    content_last_updated,
    source_ref,
    raw_sha256,
    heading_level,
    source_url,
    bill_title,
    header_incomplete
from {{ parquet('debates') }};

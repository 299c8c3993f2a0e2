-- raw_inputs: one row per distinct raw input stored in warehouse/raw/ (by content hash).
-- Key: raw_sha256. is_current is false when a newer input of the same document exists.
create or replace view raw_inputs as
select
    source,
    raw_sha256,
    document_key,
    original_path,
    raw_path,
    bytes,
    ingested_at,
    is_current
from {{ parquet('raw_inputs') }};

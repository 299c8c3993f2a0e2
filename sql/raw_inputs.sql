-- raw_inputs: one row per raw input stored in warehouse/raw/: a file's content, or one HTTP
-- response to one request. Key: raw_sha256, document_key. is_current is false when a newer
-- input of the same document (file path, page URL or API request) exists.
create or replace view raw_inputs as
select
    source,
    raw_sha256,
    document_key,
    original_path,
    http_status,
    content_type,
    raw_path,
    bytes,
    ingested_at,
    is_current
from {{ parquet('raw_inputs') }};

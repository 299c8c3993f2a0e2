-- rejects: one row per rejected input or fragment, with the file/URL and line and the reason.
-- Key: source, source_ref, reason. Columns: docs/data-dictionary.md.
create or replace view rejects as
select
    source,
    source_ref,
    reason,
    detail,
    rejected_at,
    raw_sha256
from {{ parquet('rejects') }};

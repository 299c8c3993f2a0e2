-- ingest_runs: one row per pipeline run: what it was given, what was new, what it published.
-- Key: run_id.
create or replace view ingest_runs as
select
    run_id,
    flow,
    source,
    started_at,
    finished_at,
    status,
    inputs_seen,
    inputs_new,
    inputs_unchanged,
    debates,
    contributions,
    rejects,
    partitions_written,
    debates_new,
    debates_changed,
    debates_unchanged,
    duration_s,
    message
from {{ parquet('ingest_runs') }};

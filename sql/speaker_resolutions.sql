-- speaker_resolutions: who spoke each contribution, as a Parliament member id, how it was
-- found (method) or why not (reason). Key: contribution_id. Columns: docs/data-dictionary.md.
create or replace view speaker_resolutions as
select
    contribution_id,
    source,
    house,
    sitting_year,
    member_id,
    method,
    reason,
    candidates,
    name_tried
from {{ parquet('speaker_resolutions') }};

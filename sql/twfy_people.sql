-- twfy_people: TheyWorkForYou person, membership and office ids -> the TheyWorkForYou person
-- and the Parliament member id. Key: twfy_id. Columns: docs/data-dictionary.md.
create or replace view twfy_people as
select
    twfy_id,
    id_kind,
    twfy_person_id,
    redirected,
    member_id,
    member_id_via,
    name,
    raw_sha256
from {{ parquet('twfy_people') }};

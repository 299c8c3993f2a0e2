-- contributions_enriched: who spoke, with the party and seat they had on the day. Every
-- contribution (not its text) with its resolved member, the member's name, party and
-- constituency or peerage type ON THE SITTING DATE, beside what was printed; `person_key`
-- names the person for counting, `party` is the party on the date else as printed
-- (`party_basis` says which); `doc` is its number in the search index. Derived per
-- contributions partition (flows/derived/enriched.py, whose docstring gives the rules).
-- Key: contribution_id. Columns: docs/data-dictionary.md.
create or replace view contributions_enriched as
select
    contribution_id,
    doc,
    debate_id,
    source,
    sitting_date,
    sitting_year,
    house,
    location,
    ordinal,
    contribution_type,
    speaker_key,
    speaker_display,
    speaker_name,
    speaker_office,
    printed_constituency,
    printed_party,
    twfy_person_id,
    member_id,
    person_key,
    resolution_method,
    resolution_reason,
    member_name,
    member_gender,
    party_id,
    party_name,
    party_abbreviation,
    membership_from,
    party,
    party_basis,
    word_count
from {{ parquet('contributions_enriched') }};

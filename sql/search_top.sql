-- search_top(query_string, n := 20, in_house, date_from, date_to, by_member, of_party): the n best
-- matches of a search (query syntax: search_query; scores and filters: search_bm25), with what a
-- reader needs, best first (equal scores in partition order, then by contribution_id). The top
-- n are chosen by search_matches (the index; the texts only of the contributions a phrase must
-- check, and speaker columns only when filtered on) and only then joined to search_docs,
-- contributions, debates and the speaker tables, so only their partitions are read. Columns: contribution_id, score, snippet (about 36 words of the text around the first
-- word that matches a query term, each matching word marked <b>…</b> as PostgreSQL's
-- ts_headline does, `…` where the text is cut), sitting_date, house, location, source, title
-- (the debate's title after its parent heading's, `Parent — Title`, when it has one),
-- speaker_name (as printed), member_id (the resolved speaker, else as the source printed it),
-- party (on the sitting date: abbreviation, else name; else as printed), debate_id, text.
-- n := null returns every match (search_contributions).
-- Usage: select * from search_top('"child poverty" -covid', 10, in_house := 'Commons');
-- Grain: one row per matching contribution, at most n. Key: contribution_id.
create or replace macro search_top(
    query_string,
    n := 20,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

best as materialized (
    select m.*
    from search_matches(
        query_string,
        in_house := in_house,
        date_from := date_from,
        date_to := date_to,
        by_member := by_member,
        of_party := of_party
    ) as m
    order by m.score desc, m.source, m.house, m.sitting_year, m.doc
    limit n
),

marked_terms as (
    select distinct q.term
    from search_query(query_string) as q
    where not q.negated
),

-- The rows of the n are read through IN (subquery) filters: DuckDB builds its hash table on
-- the subquery's side (never on the big table), and turns a short list of values into filters
-- on the scan. First their ids and dates (search_docs, by partition and number), then their
-- contributions: files are sorted by date in small row groups, so only the row groups of those
-- dates are read. The null partitions (undated pages) apart: IN never matches a null.
best_docs as materialized (
    select
        b.*,
        d.contribution_id,
        d.sitting_date
    from best as b
    inner join (
        select sd.*
        from search_docs as sd
        where
            sd.doc in (select b.doc from best as b)
            and sd.sitting_year in (select b.sitting_year from best as b)
            and sd.house in (select b.house from best as b)
            and sd.source in (select b.source from best as b)
        union all
        select sd.*
        from search_docs as sd
        where
            (sd.house is null or sd.sitting_year is null)
            and sd.doc in (
                select b.doc
                from best as b
                where b.house is null or b.sitting_year is null
            )
    ) as d
        on
            b.doc = d.doc
            and b.source = d.source
            and b.house is not distinct from d.house
            and b.sitting_year is not distinct from d.sitting_year
),

-- Read twice, not materialized: the speaker and debate joins take its narrow columns, and the
-- text is joined last (to keep the text out of those joins; a search_contributions of hundreds
-- of thousands of matches still runs out of memory at 1 GB: docs/views.md). The two branches
-- spell their columns out: selected through a shared CTE, the IN filters no longer reached
-- the scan (search_top('abernethy', 20) at 7.6×10^6: 0.5 s → 46 s)
best_rows as not materialized (
    select
        c.contribution_id,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.sitting_year,
        c.location,
        c.source,
        c.speaker_name,
        c.party as printed_party,
        c.member_id as printed_member_id,
        c.text
    from contributions as c
    where
        c.contribution_id in (select bd.contribution_id from best_docs as bd)
        and c.sitting_date in (select bd.sitting_date from best_docs as bd)
        and c.sitting_year in (select bd.sitting_year from best_docs as bd)
        and c.house in (select bd.house from best_docs as bd)
        and c.source in (select bd.source from best_docs as bd)
    union all
    select
        c.contribution_id,
        c.debate_id,
        c.sitting_date,
        c.house,
        c.sitting_year,
        c.location,
        c.source,
        c.speaker_name,
        c.party as printed_party,
        c.member_id as printed_member_id,
        c.text
    from contributions as c
    where
        (c.house is null or c.sitting_year is null)
        and c.contribution_id in (
            select bd.contribution_id
            from best_docs as bd
            where bd.house is null or bd.sitting_year is null
        )
),

matched_rows as (
    select
        b.contribution_id,
        b.score,
        r.* exclude (contribution_id, text)
    from best_docs as b
    inner join best_rows as r on b.contribution_id = r.contribution_id and b.source = r.source
),

hits as (
    select
        m.* exclude (printed_member_id),
        coalesce(r.member_id, r_undated.member_id, m.printed_member_id) as speaker_member_id,
        coalesce(r.member_id, r_undated.member_id) as resolved_member_id
    from matched_rows as m
    -- by partition (equality prunes the files), and the null partitions apart
    left join speaker_resolutions as r
        on
            m.contribution_id = r.contribution_id
            and m.source = r.source
            and m.house = r.house
            and m.sitting_year = r.sitting_year
    left join (
        select u.*
        from speaker_resolutions as u
        where u.house is null or u.sitting_year is null
    ) as r_undated
        on
            m.contribution_id = r_undated.contribution_id
            and (m.house is null or m.sitting_year is null)
),

-- for the snippet: the stopword list and the query's terms, as lists beside every row
lookups as (
    select
        (select list(sw.word) from search_stopwords as sw) as stopwords,
        (select coalesce(list(mt.term), []) from marked_terms as mt) as terms
),

final as (
    select
        h.contribution_id,
        h.score,
        -- one expression, row by row (DuckDB computes it only for the rows it returns, after a
        -- limit): the text's words; whether a token of each stems to a query term; 36 words
        -- from 12 before the first such word, those words marked
        list_transform(
            [string_split(regexp_replace(trim(t.text), '\s+', ' ', 'g'), ' ')],
            ws -> list_transform(
                [
                    list_transform(
                        ws,
                        w -> list_has_any(
                            list_transform(
                                list_filter(
                                    regexp_extract_all(lower(strip_accents(w)), '[a-z]+'),
                                    t -> not list_contains(lk.stopwords, t)
                                ),
                                t -> stem(t, 'english')
                            ),
                            lk.terms
                        )
                    )
                ],
                flags -> list_transform(
                    [greatest(1, coalesce(list_position(flags, true), 1) - 12)],
                    f -> case when f > 1 then '… ' else '' end
                    || array_to_string(
                        list_transform(
                            range(f, least(f + 35, len(ws)) + 1),
                            i -> case when flags[i] then '<b>' || ws[i] || '</b>' else ws[i] end
                        ),
                        ' '
                    )
                    || case when f + 35 < len(ws) then ' …' else '' end
                )[1]
            )[1]
        )[1] as snippet,
        h.sitting_date,
        h.house,
        h.location,
        h.source,
        coalesce(pd.title || ' — ' || d.title, d.title) as title,
        h.speaker_name,
        h.speaker_member_id as member_id,
        coalesce(
            (
                select coalesce(mp.party_abbreviation, mp.party_name)
                from member_parties as mp
                where
                    mp.member_id = h.resolved_member_id
                    and mp.start_date <= h.sitting_date
                    and (mp.end_date is null or h.sitting_date <= mp.end_date)
                order by mp.start_date desc, mp.ordinal desc
                limit 1
            ),
            h.printed_party
        ) as party,
        h.debate_id,
        t.text
    from hits as h
    left join (select br.contribution_id, br.text from best_rows as br) as t
        on h.contribution_id = t.contribution_id
    cross join lookups as lk
    left join debates as d on h.debate_id = d.debate_id
    left join debates as pd on d.parent_debate_id = pd.debate_id
)

select * from final
order by score desc, source, house, year(sitting_date), contribution_id;

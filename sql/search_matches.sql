-- search_matches(query_string, in_house, date_from, date_to, by_member, of_party): the BM25 score of
-- every index document (a contribution: its partition source, house, sitting_year and its number
-- doc there, search_docs) that matches a search (query syntax: search_query). The text was
-- indexed (flows/derived/search.py) lower-cased, accents stripped, split on anything but a-z,
-- English stopwords (table search_stopwords) dropped, Snowball-stemmed. A contribution matches
-- when it satisfies every clause (one of its alternatives: the word, or the phrase's words
-- adjacent and in order, read from the texts of the contributions holding all of its words) and
-- no excluded word or phrase. It scores the sum over the distinct query terms it holds
-- (excluded ones left out) of
--   idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_length / avg_length)),
--   idf = log10((N - df + 0.5) / (df + 0.5) + 1),  k1 = 1.2,  b = 0.75,
-- N, df and avg_length over every indexed contribution (a filter never changes a score): DuckDB
-- fts's match_bm25 with conjunctive := 1, score for score, for a query of plain words.
-- Filters (named, null = any): in_house ('Commons', 'Lords', …), date_from / date_to (sitting
-- dates, inclusive: postings of other years are left out by partition values, then the dates
-- are checked on search_docs), by_member (a member id: the resolved speaker, whom an id the
-- source printed resolves to), of_party (the speaker's party on the sitting date, abbreviation or name, any
-- case, else the party as printed; search_top's party column). They are not called house,
-- member_id, party: inside a macro DuckDB binds a parameter over a same-named column, even in
-- the views the macro reads.
-- The search macros build on this one: search_bm25 adds each match's contribution_id, search_top
-- reads the n best. It never reads an id string for a match: a one-word search is one pass over
-- the word's postings (integers), nothing held per match.
-- Usage: select count(*) from search_matches('"rural libraries" -closure', in_house := 'Lords');
-- Grain: one row per matching contribution. Key: source, house, sitting_year, doc.
create or replace macro search_matches(
    query_string,
    in_house := null,
    date_from := null,
    date_to := null,
    by_member := null,
    of_party := null
) as table
with

query_terms as materialized (
    select * from search_query(query_string)
),

-- the terms every match must hold: those of a clause with one alternative (a word, or each
-- word of a phrase), not excluded; the first 64 by name get a bit each
needed_terms as (
    select
        q.term,
        cast(1 as ubigint) << cast(row_number() over (order by q.term) - 1 as integer) as bit
    from (
        select distinct qt.term
        from query_terms as qt
        where
            not qt.negated
            and qt.clause in (
                select k.clause
                from query_terms as k
                where not k.negated
                group by k.clause
                having count(distinct k.alternative) = 1
            )
    ) as q
    qualify row_number() over (order by q.term) <= 64
),

-- what each distinct term does: scored (a term of the query not excluded), the clauses it
-- satisfies alone (a one-word alternative; a bit per clause), its bit among the needed terms,
-- or an exclusion (a -word)
term_roles as (
    select
        q.term,
        bool_or(not q.negated) as scored,
        bit_or(
            case
                when q.terms = 1 and not q.negated then cast(1 as ubigint) << (q.clause - 1)
                else cast(0 as ubigint)
            end
        ) as word_mask,
        coalesce(any_value(n.bit), cast(0 as ubigint)) as need_bit,
        bool_or(q.terms = 1 and q.negated) as excludes
    from query_terms as q
    left join needed_terms as n on q.term = n.term
    group by q.term
),

corpus as (
    select
        count(*) as doc_count,
        avg(doc_length) as avg_length
    from search_docs
),

-- each term's document frequency, over every partition whatever the filters: a count of its
-- postings (files are sorted by term: only its row groups are read, and only the term column)
term_weights as (
    select
        p.term,
        log10(((select doc_count from corpus) - count(*) + 0.5) / (count(*) + 0.5) + 1) as idf
    from search_postings as p
    where p.term in (select r.term from term_roles as r)
    group by p.term
),

-- the needed term with the fewest postings: a match holds it, so the grouped branch of scored
-- reads only the postings of the contributions that hold it (none when no term is needed)
anchor_term as (
    select w.term
    from term_weights as w
    where w.term in (select n.term from needed_terms as n)
    order by w.idf desc, w.term
    limit 1
),

-- the query's postings that pass the partition filters (every column qualified: a parameter's
-- name would win over a column's). Not materialized: read where it is used
postings as not materialized (
    select
        p.term,
        p.doc,
        p.source,
        p.house,
        p.sitting_year,
        p.tf,
        p.doc_length
    from search_postings as p
    where
        p.term in (select r.term from term_roles as r)
        and (in_house is null or p.house = cast(in_house as varchar))
        and (date_from is null or p.sitting_year >= year(cast(date_from as date)))
        and (date_to is null or p.sitting_year <= year(cast(date_to as date)))
),

-- each posting's BM25 term score (0 for an excluded term)
posting_scores as not materialized (
    select
        p.doc,
        p.source,
        p.house,
        p.sitting_year,
        r.word_mask,
        r.need_bit,
        r.excludes,
        case
            when r.scored
                then w.idf * p.tf * (1.2 + 1) / (
                    p.tf
                    + 1.2 * (1 - 0.75 + 0.75 * p.doc_length / (select avg_length from corpus))
                )
            else 0
        end as score
    from postings as p
    inner join term_roles as r on p.term = r.term
    inner join term_weights as w on p.term = w.term
),

required as (
    select coalesce(bit_or(cast(1 as ubigint) << (q.clause - 1)), cast(0 as ubigint)) as mask
    from query_terms as q
    where not q.negated
),

word_required as (
    select
        coalesce(
            bit_or(cast(1 as ubigint) << (k.clause - 1)) filter (where not k.has_phrase),
            cast(0 as ubigint)
        ) as mask
    from (
        select q.clause, bool_or(q.terms > 1) as has_phrase
        from query_terms as q
        where not q.negated
        group by q.clause
    ) as k
),

-- one pass over the query's postings: the clauses each contribution satisfies by single words,
-- whether it holds an excluded word, and its score. A query of one plain word (the commonest)
-- needs no aggregation: each of its postings is one match. The conditions on the query text are
-- constants, so only one of the two branches runs.
scored as not materialized (
    select
        ps.doc,
        ps.source,
        ps.house,
        ps.sitting_year,
        ps.word_mask as mask,
        ps.need_bit as needs,
        ps.excludes as excluded,
        ps.score
    from posting_scores as ps
    where regexp_matches(cast(query_string as varchar), '^\s*[A-Za-z]+\s*$')
    union all
    select
        ps.doc,
        ps.source,
        ps.house,
        ps.sitting_year,
        bit_or(ps.word_mask) as mask,
        bit_or(ps.need_bit) as needs,
        bool_or(ps.excludes) as excluded,
        sum(ps.score) as score
    from posting_scores as ps
    -- the contributions holding the anchor term (a hash table of its postings, probed by the
    -- others'), or every one when no term is needed
    left join (
        select a.source, a.house, a.sitting_year, a.doc
        from postings as a
        where a.term in (select t.term from anchor_term as t)
    ) as anchored
        on
            ps.doc = anchored.doc
            and ps.source = anchored.source
            and ps.house is not distinct from anchored.house
            and ps.sitting_year is not distinct from anchored.sitting_year
    where
        not regexp_matches(cast(query_string as varchar), '^\s*[A-Za-z]+\s*$')
        and (anchored.doc is not null or not exists (select 1 from anchor_term))
    group by ps.source, ps.house, ps.sitting_year, ps.doc
),

needed as (
    select coalesce(bit_or(n.bit), cast(0 as ubigint)) as mask
    from needed_terms as n
),

-- the contributions that satisfy every clause a word alone can satisfy and hold no excluded
-- word: all the matches, when the query holds no phrase
word_matches as not materialized (
    select s.*
    from scored as s
    where
        (select mask from required) <> 0
        and (s.mask & (select mask from word_required)) = (select mask from word_required)
        and (s.needs & (select mask from needed)) = (select mask from needed)
        and not s.excluded
),

-- A query can hold a phrase only when it has a quote or a word of several tokens (a constant
-- condition on its text): otherwise none of the phrase steps below reads anything
-- the candidates whose phrases are checked, kept once
pre_matched as materialized (
    select wm.*
    from word_matches as wm
    where regexp_matches(
        lower(strip_accents(cast(query_string as varchar))), '"|[a-z][^a-z\s"]+[a-z]'
    )
),

phrase_terms as (
    select
        clause,
        alternative,
        negated,
        count(distinct term) as distinct_terms,
        any_value(terms) as terms
    from query_terms
    where terms > 1
    group by all
),

-- the contributions of pre_matched holding every term of a phrase
phrase_keys as materialized (
    select
        p.source,
        p.house,
        p.sitting_year,
        p.doc,
        q.clause,
        q.alternative,
        q.negated
    from postings as p
    inner join pre_matched as pm
        on
            p.doc = pm.doc
            and p.source = pm.source
            and p.house is not distinct from pm.house
            and p.sitting_year is not distinct from pm.sitting_year
    inner join (
        select distinct qt.clause, qt.alternative, qt.negated, qt.term, pt.distinct_terms
        from query_terms as qt
        inner join phrase_terms as pt on qt.alternative = pt.alternative
    ) as q on p.term = q.term
    group by all
    having count(*) = any_value(q.distinct_terms)
),

-- The IN (subquery) lists below are row values, one semi join each, and read at most
-- 10,000,000 rows: with that constant limit DuckDB builds its hash table on the list (the keys
-- of the candidates), streams the scan through it and, for a short list, filters the Parquet
-- reader with it. Without the limit the estimate can make it build on the scanned rows instead,
-- ids and texts of every candidate held at once (out of memory at 1 GB for `"legal aid"`,
-- 376,000 candidates at 7.6×10^6). More candidates than that is an error, never a silent cut.
phrase_guard as (
    select
        case
            when n > 10000000
                then error(
                    'search: more than 10,000,000 contributions hold every word of a phrase '
                    || 'in query ''' || cast(query_string as varchar) || '''; add a filter'
                )
            else true
        end as ok
    from (select count(*) as n from phrase_keys)
),

-- the candidates' ids and dates, from search_docs (the null partitions apart). Empty at plan
-- time when the query cannot hold a phrase (the same constant condition as pre_matched)
phrase_candidates as materialized (
    select
        sd.contribution_id,
        sd.sitting_date,
        sd.source,
        sd.house,
        sd.sitting_year,
        sd.doc
    from search_docs as sd
    where
        regexp_matches(
            lower(strip_accents(cast(query_string as varchar))), '"|[a-z][^a-z\s"]+[a-z]'
        )
        and (sd.source, sd.house, sd.sitting_year, sd.doc) in (
            select k.source, k.house, k.sitting_year, k.doc
            from phrase_keys as k
            limit 10000000
        )
    union all
    select
        sd.contribution_id,
        sd.sitting_date,
        sd.source,
        sd.house,
        sd.sitting_year,
        sd.doc
    from search_docs as sd
    where
        regexp_matches(
            lower(strip_accents(cast(query_string as varchar))), '"|[a-z][^a-z\s"]+[a-z]'
        )
        and (sd.house is null or sd.sitting_year is null)
        and (sd.source, coalesce(sd.house, ''), coalesce(sd.sitting_year, -1), sd.doc) in (
            select k.source, coalesce(k.house, ''), coalesce(k.sitting_year, -1), k.doc
            from phrase_keys as k
            where k.house is null or k.sitting_year is null
        )
),

-- their texts, by id, date and source (files are sorted by date in small row groups, so a short
-- list reads only its dates' row groups); the null partitions (undated pages) apart
candidate_rows as (
    select
        c.contribution_id,
        c.source,
        c.text
    from contributions as c
    where (c.contribution_id, c.sitting_date, c.source) in (
        select pc.contribution_id, pc.sitting_date, pc.source
        from phrase_candidates as pc
        where pc.house is not null and pc.sitting_year is not null
        limit 10000000
    )
    union all
    select
        c.contribution_id,
        c.source,
        c.text
    from contributions as c
    where
        (c.house is null or c.sitting_year is null)
        and c.contribution_id in (
            select pc.contribution_id
            from phrase_candidates as pc
            where pc.house is null or pc.sitting_year is null
        )
),

-- every token of the candidates' texts with its position (stopwords counted), tokenised as the
-- index was, straight from the Parquet scan (a join would hold the texts in a hash table).
-- Streamed, never held: only the tokens that can stem to a phrase's term are kept
candidate_tokens as not materialized (
    select
        x.contribution_id,
        x.source,
        unnest(x.t) as token,
        unnest(range(len(x.t))) as position
    from (
        select
            c.contribution_id,
            c.source,
            regexp_extract_all(lower(strip_accents(c.text)), '[a-z]+') as t
        from candidate_rows as c
    ) as x
),

-- the first two letters of every word that can stem to a phrase's term: a Snowball English stem
-- keeps its word's first two letters (a one-letter stem, its first), but for the exceptional
-- dying, lying, tying (die, lie, tie); tests/derived/test_search_query.py checks it on every
-- word of the corpus
phrase_prefixes as (
    select left(term, 2) as prefix
    from query_terms
    where terms > 1
    union
    select q.term || chr(97 + cast(r.i as integer))
    from query_terms as q, range(26) as r (i)
    where q.terms > 1 and length(q.term) = 1
    union
    select e.prefix
    from (values ('die', 'dy'), ('lie', 'ly'), ('tie', 'ty')) as e (term, prefix)
    where e.term in (select term from query_terms where terms > 1)
),

kept_tokens as materialized (
    select t.*
    from candidate_tokens as t
    where left(t.token, 2) in (select prefix from phrase_prefixes)
),

kept_stems as (
    select
        token,
        stem(token, 'english') as term
    from (select distinct token from kept_tokens)
    where token not in (select word from search_stopwords)
),

-- a phrase is found where each of its terms sits at its offset from one start position
phrase_hits as (
    select
        kt.contribution_id,
        kt.source,
        any_value(q.clause) as clause,
        any_value(q.negated) as negated
    from kept_tokens as kt
    inner join kept_stems as s on kt.token = s.token
    inner join query_terms as q on s.term = q.term and q.terms > 1
    group by kt.contribution_id, kt.source, q.alternative, kt.position - q.term_offset
    having count(distinct q.term_offset) = any_value(q.terms)
),

phrase_found as (
    select
        pc.source,
        pc.house,
        pc.sitting_year,
        pc.doc,
        bit_or(
            case
                when not ph.negated then cast(1 as ubigint) << (ph.clause - 1)
                else cast(0 as ubigint)
            end
        ) as mask,
        bool_or(ph.negated) as excluded
    from phrase_hits as ph
    inner join phrase_candidates as pc
        on ph.contribution_id = pc.contribution_id and ph.source = pc.source
    group by pc.source, pc.house, pc.sitting_year, pc.doc
),

-- without a phrase the word matches are the matches; with one, the candidates whose phrases
-- complete every clause and exclude nothing
matched as not materialized (
    select
        wm.source,
        wm.house,
        wm.sitting_year,
        wm.doc,
        wm.score
    from word_matches as wm
    where not regexp_matches(
        lower(strip_accents(cast(query_string as varchar))), '"|[a-z][^a-z\s"]+[a-z]'
    )
    union all
    select
        s.source,
        s.house,
        s.sitting_year,
        s.doc,
        s.score
    from pre_matched as s
    left join phrase_found as f
        on
            s.doc = f.doc
            and s.source = f.source
            and s.house is not distinct from f.house
            and s.sitting_year is not distinct from f.sitting_year
    where
        (s.mask | coalesce(f.mask, cast(0 as ubigint))) = (select mask from required)
        and not coalesce(f.excluded, false)
        and (select ok from phrase_guard)
),

-- the speaker and date filters read the matches' dates (search_docs), and their speakers and
-- parties (contributions_enriched) only when asked for. The parameters are constants: without
-- a filter this is empty at plan time, and nothing below reads a file
asked_matches as (
    select m.*
    from matched as m
    where not (date_from is null and date_to is null and by_member is null and of_party is null)
),

-- the date filters check the matches' dates on search_docs; a speaker filter alone needs no
-- date, so its matches skip that join (the whole branch is empty at plan time)
asked as (
    select m.*
    from asked_matches as m
    where date_from is null and date_to is null
    union all
    select m.*
    from asked_matches as m
    inner join search_docs as d
        on
            m.doc = d.doc
            and m.source = d.source
            and m.house is not distinct from d.house
            and m.sitting_year is not distinct from d.sitting_year
    where
        not (date_from is null and date_to is null)
        and (date_from is null or d.sitting_date >= cast(date_from as date))
        and (date_to is null or d.sitting_date <= cast(date_to as date))
),

-- the speaker filters: the contributions whose resolved member and party on the sitting date
-- (else as printed) match, from contributions_enriched (derived per partition: no join to the
-- resolutions or the party histories here), as the index names them. The parameters are
-- constants: without a speaker filter this is empty at plan time. A null partition key
-- (undated pages) is compared as '' / -1. Through the CLI at 7.6×10^6, search_top('minister',
-- 20, of_party := 'Lab') 8.1–8.8 → 2.1–2.5 s; 'abernethy' with 'Con' 3.9–4.9 → 1.1 s
speakers as (
    select
        e.source,
        coalesce(e.house, '') as house_key,
        coalesce(e.sitting_year, -1) as year_key,
        e.doc
    from contributions_enriched as e
    where
        not (by_member is null and of_party is null)
        and (by_member is null or e.member_id = cast(by_member as integer))
        and (of_party is null or lower(e.party) = lower(cast(of_party as varchar)))
),

final as (
    select
        m.source,
        m.house,
        m.sitting_year,
        m.doc,
        m.score
    from matched as m
    where date_from is null and date_to is null and by_member is null and of_party is null
    union all
    select
        a.source,
        a.house,
        a.sitting_year,
        a.doc,
        a.score
    from asked as a
    where
        (by_member is null and of_party is null)
        or (a.source, coalesce(a.house, ''), coalesce(a.sitting_year, -1), a.doc) in (
            select sp.source, sp.house_key, sp.year_key, sp.doc from speakers as sp
        )
)

select * from final;

-- Reading the team's trail (src/team/trail.rs) a page at a time over millions of rows.
--
-- The policy's parts that depend only on the reader (are they an admin, which member are they) are
-- evaluated once per query, as sub-selects, instead of once per row: both functions are SECURITY DEFINER
-- and never inlined. Who sees which rows is unchanged.
ALTER POLICY audit_seen_by_its_member_the_accounts_members_and_admins ON callback_desk.audit
    USING ((SELECT callback_desk.role_on(NULL)) = 'admin'
           OR member = (SELECT callback_desk.current_member())
           OR (account_id IS NOT NULL AND callback_desk.role_on(account_id) IS NOT NULL));

-- Words (ids, serials, the account's label), matched by prefix like the local history's text filter: the
-- same expression as trail.rs's query, so the index serves it.
CREATE INDEX audit_words ON callback_desk.audit
    USING gin (to_tsvector('simple'::regconfig, scope || ' ' || account_label));
-- Rare outcomes (unknown, pending) and time windows far back, newest first.
CREATE INDEX audit_by_outcome ON callback_desk.audit (outcome, id);
CREATE INDEX audit_by_time ON callback_desk.audit (at);

-- The rows holding some words, among those the caller may read (the policy's rule, above), at most p_limit:
-- through the words index. A query of the caller's own cannot use that index under row-level security (the
-- full-text match is not leak-proof, so PostgreSQL tests it only after the policy, row by row).
CREATE FUNCTION callback_desk.audit_words_match(p_query text, p_limit int) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT a.id FROM callback_desk.audit a
     WHERE to_tsvector('simple'::regconfig, a.scope || ' ' || a.account_label) @@ to_tsquery('simple'::regconfig, p_query)
       AND ((SELECT callback_desk.role_on(NULL)) = 'admin'
            OR a.member = (SELECT callback_desk.current_member())
            OR (a.account_id IS NOT NULL AND callback_desk.role_on(a.account_id) IS NOT NULL))
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION callback_desk.audit_words_match(text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.audit_words_match(text, int) TO {{members}};

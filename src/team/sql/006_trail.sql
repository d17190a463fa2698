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

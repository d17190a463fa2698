-- Shared rate budgets: the calls every member's installation made to one merchant account, so that the
-- members together never exceed a provider's limit. A reservation runs in one transaction holding an
-- advisory lock on (merchant, bucket): read the recent calls, decide with the app's one rule
-- (`limits::earliest_allowed_n`), record the calls. Members read the calls; they are recorded only by
-- record_budget_calls, in the caller's name.

CREATE TABLE callback_desk.rate_calls (
    id       bigserial PRIMARY KEY,
    -- The merchant account the budget belongs to (src/team/budget.rs `merchant_key`).
    merchant text NOT NULL,
    bucket   text NOT NULL,
    at_ms    bigint NOT NULL,
    member   text NOT NULL REFERENCES callback_desk.members (name)
);
CREATE INDEX rate_calls_by_bucket ON callback_desk.rate_calls (merchant, bucket, at_ms);

-- Takes the budget's lock until the end of the caller's transaction (members only).
CREATE FUNCTION callback_desk.lock_budget(p_merchant text, p_bucket text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.require_role(NULL, 'viewer');
    PERFORM pg_advisory_xact_lock(hashtext('callback_desk.budget'), hashtext(p_merchant || '/' || p_bucket));
END
$$;

-- Records p_count calls at p_at_ms for the calling member, under the budget's lock.
CREATE FUNCTION callback_desk.record_budget_calls(p_merchant text, p_bucket text, p_at_ms bigint, p_count int)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'viewer');
BEGIN
    IF p_count < 1 OR p_count > 100000 THEN
        RAISE EXCEPTION 'a reservation is 1 to 100000 calls' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('callback_desk.budget'), hashtext(p_merchant || '/' || p_bucket));
    INSERT INTO callback_desk.rate_calls (merchant, bucket, at_ms, member)
    SELECT p_merchant, p_bucket, p_at_ms, me FROM generate_series(1, p_count);
    -- No budget looks back further than three days.
    DELETE FROM callback_desk.rate_calls
     WHERE merchant = p_merchant AND bucket = p_bucket AND at_ms < p_at_ms - 3 * 86400000;
END
$$;

ALTER TABLE callback_desk.rate_calls ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.rate_calls TO {{members}};
CREATE POLICY rate_calls_seen_by_members ON callback_desk.rate_calls FOR SELECT TO {{members}}
    USING (callback_desk.current_member() IS NOT NULL);

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.lock_budget(text, text),
    callback_desk.record_budget_calls(text, text, bigint, int) TO {{members}};

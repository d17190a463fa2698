-- What the members' installations learned from a provider's limit answers, shared per merchant account and
-- bucket (src/team/budget.rs): a back-off or a daily limit one member met holds every member back, and a
-- number the provider named applies to all. `learn_budget` records what an installation learned, in the
-- caller's name; the shared reservation (`lock_budget` + `rate_calls`) reads it under the budget's lock.

CREATE TABLE callback_desk.rate_learned (
    merchant         text NOT NULL,
    bucket           text NOT NULL,
    -- The last per-minute number a provider named for this merchant (NULL: none named).
    per_minute       integer CHECK (per_minute >= 0),
    -- The lowest per-day number a provider named (NULL: none named).
    per_day          integer CHECK (per_day >= 0),
    -- No call before this moment (Unix ms): the furthest back-off or daily block any member met.
    blocked_until_ms bigint NOT NULL DEFAULT 0,
    updated_by       text NOT NULL REFERENCES callback_desk.members (name),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant, bucket)
);

-- Records what the calling member's installation learned: a named per-minute number replaces the one
-- there, a per-day number only lowers it, and a block only moves later.
CREATE FUNCTION callback_desk.learn_budget(p_merchant text, p_bucket text, p_per_minute integer,
                                           p_per_day integer, p_blocked_until_ms bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'viewer');
BEGIN
    IF p_per_minute < 0 OR p_per_day < 0 OR p_blocked_until_ms < 0 THEN
        RAISE EXCEPTION 'a learned budget is never negative' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('callback_desk.budget'), hashtext(p_merchant || '/' || p_bucket));
    INSERT INTO callback_desk.rate_learned AS l (merchant, bucket, per_minute, per_day, blocked_until_ms, updated_by)
    VALUES (p_merchant, p_bucket, p_per_minute, p_per_day, coalesce(p_blocked_until_ms, 0), me)
    ON CONFLICT (merchant, bucket) DO UPDATE SET
        per_minute       = coalesce(EXCLUDED.per_minute, l.per_minute),
        per_day          = least(EXCLUDED.per_day, l.per_day),
        blocked_until_ms = greatest(EXCLUDED.blocked_until_ms, l.blocked_until_ms),
        updated_by       = me,
        updated_at       = now();
END
$$;

ALTER TABLE callback_desk.rate_learned ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.rate_learned TO {{members}};
CREATE POLICY rate_learned_seen_by_members ON callback_desk.rate_learned FOR SELECT TO {{members}}
    USING (callback_desk.current_member() IS NOT NULL);

REVOKE ALL ON FUNCTION callback_desk.learn_budget(text, text, integer, integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.learn_budget(text, text, integer, integer, bigint) TO {{members}};

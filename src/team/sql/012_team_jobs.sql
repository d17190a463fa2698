-- Bulk jobs on shared accounts, leased here (src/team/jobs.rs): one member's installation runs a job, holding
-- its lease (renewed while it runs); every member with a role on the account sees its progress; a job whose
-- runner is gone (its lease expired) is taken over by another member, its call in flight counted unknown.
-- Members read the rows; every change goes through the functions below, which check the caller.

CREATE TABLE callback_desk.jobs (
    id                  bigserial PRIMARY KEY,
    account_id          bigint NOT NULL REFERENCES callback_desk.accounts (id) ON DELETE CASCADE,
    created_by          text NOT NULL REFERENCES callback_desk.members (name),
    created_at          timestamptz NOT NULL DEFAULT now(),
    operation           text NOT NULL,
    -- The plan: the operation and each call's params, in order (what the members' installations send;
    -- never a secret: params are what History keeps as the action's scope).
    plan                jsonb NOT NULL,
    total               int NOT NULL CHECK (total >= 0),
    state               text NOT NULL DEFAULT 'paused'
                        CHECK (state IN ('running', 'paused', 'cancelled', 'done', 'interrupted')),
    -- The next call to send (= calls finished) and the call that may have left and has no outcome yet.
    next_index          int NOT NULL DEFAULT 0 CHECK (next_index BETWEEN 0 AND total),
    in_flight           int CHECK (in_flight BETWEEN 0 AND total - 1),
    ok                  int NOT NULL DEFAULT 0 CHECK (ok >= 0),
    failed              int NOT NULL DEFAULT 0 CHECK (failed >= 0),
    unknown             int NOT NULL DEFAULT 0 CHECK (unknown >= 0),
    throttled           int NOT NULL DEFAULT 0 CHECK (throttled >= 0),
    -- Who runs it or ran it last: the member, their installation (member/joined-at, as in audit origins)
    -- and the runner in it (one process's); the lease protects the job until lease_until (NULL: released).
    runner              text REFERENCES callback_desk.members (name),
    runner_installation text,
    runner_instance     text,
    lease_until         timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_by_account ON callback_desk.jobs (account_id, id);

-- Members who can read the account (a role on it) see its jobs; nobody writes but through the functions.
ALTER TABLE callback_desk.jobs ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.jobs TO {{members}};
CREATE POLICY jobs_seen_with_a_role_on_their_account ON callback_desk.jobs FOR SELECT TO {{members}}
    USING (callback_desk.role_on(account_id) IS NOT NULL);

-- Operators (or more) of the account register a job; returns its id. It is not leased until taken.
CREATE FUNCTION callback_desk.create_job(p_account bigint, p_operation text, p_plan jsonb, p_total int)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(p_account, 'operator');
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM callback_desk.accounts WHERE accounts.id = p_account) THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023';
    END IF;
    INSERT INTO callback_desk.jobs (account_id, created_by, operation, plan, total)
    VALUES (p_account, me, p_operation, p_plan, p_total)
    RETURNING jobs.id INTO id;
    RETURN id;
END
$$;

-- The job, locked for a change, with the caller checked as an operator of its account.
CREATE FUNCTION callback_desk.job_for_change(p_job bigint, p_role text) RETURNS callback_desk.jobs
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j callback_desk.jobs;
BEGIN
    SELECT * INTO j FROM callback_desk.jobs WHERE id = p_job FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no team job %', p_job USING ERRCODE = '22023';
    END IF;
    PERFORM callback_desk.require_role(j.account_id, p_role);
    RETURN j;
END
$$;

-- An operator of the account takes the job's lease for one runner of theirs (p_installation, p_instance),
-- for p_lease_ms: only when no other installation holds it (released, expired, or this installation's);
-- else SQLSTATE 55P03 naming the runner. Taken over from another installation, its call in flight may have reached the
-- provider: it is counted unknown and the job goes on from the next call (never sent again). Returns the
-- job as taken.
CREATE FUNCTION callback_desk.take_job(p_job bigint, p_installation text, p_instance text, p_lease_ms int)
RETURNS callback_desk.jobs
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j callback_desk.jobs := callback_desk.job_for_change(p_job, 'operator');
    me text := callback_desk.current_member();
BEGIN
    IF p_lease_ms < 100 OR p_installation NOT LIKE me || '/%' THEN
        RAISE EXCEPTION 'a lease of 100 ms or more, for an installation of the caller' USING ERRCODE = '22023';
    END IF;
    -- Within one installation the local database's lease already lets one runner at a time run the job
    -- (src/jobs/lease.rs): a live lease of that installation is from a runner that stopped without
    -- releasing it (the team database unreachable then), and is taken.
    IF j.lease_until > now() AND j.runner_installation IS DISTINCT FROM p_installation THEN
        RAISE EXCEPTION 'team job % is run by %', p_job, j.runner
            USING ERRCODE = '55P03', HINT = 'job_leased', DETAIL = j.runner;
    END IF;
    UPDATE callback_desk.jobs
       SET unknown = unknown + CASE WHEN takeover THEN 1 ELSE 0 END,
           next_index = CASE WHEN takeover THEN greatest(next_index, in_flight + 1) ELSE next_index END,
           in_flight = CASE WHEN takeover THEN NULL ELSE in_flight END,
           state = 'running',
           runner = me, runner_installation = p_installation, runner_instance = p_instance,
           lease_until = now() + make_interval(secs => p_lease_ms / 1000.0), updated_at = now()
      FROM (SELECT j.in_flight IS NOT NULL AND j.runner_installation IS DISTINCT FROM p_installation) AS t(takeover)
     WHERE id = p_job
    RETURNING jobs.* INTO j;
    RETURN j;
END
$$;

-- The lease holder records where the job stands: its state, next call, call in flight and counts. While
-- it runs (state running) the lease is renewed for p_lease_ms; any other state releases it. Anyone else
-- (the lease taken over, or the job cancelled by an admin) gets SQLSTATE 55P03 naming who holds it.
CREATE FUNCTION callback_desk.record_job(p_job bigint, p_instance text, p_state text, p_next int, p_in_flight int,
                                         p_ok int, p_failed int, p_unknown int, p_throttled int, p_lease_ms int)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j callback_desk.jobs := callback_desk.job_for_change(p_job, 'operator');
BEGIN
    IF j.runner IS DISTINCT FROM callback_desk.current_member() OR j.runner_instance IS DISTINCT FROM p_instance THEN
        RAISE EXCEPTION 'team job % is run by %', p_job, coalesce(j.runner, 'nobody')
            USING ERRCODE = '55P03', HINT = CASE WHEN j.state = 'cancelled' THEN 'job_cancelled' ELSE 'job_leased' END,
                  DETAIL = coalesce(j.runner, '');
    END IF;
    IF p_state = 'running' AND (p_lease_ms IS NULL OR p_lease_ms < 100) THEN
        RAISE EXCEPTION 'a running job renews its lease' USING ERRCODE = '22023';
    END IF;
    UPDATE callback_desk.jobs
       SET state = p_state, next_index = p_next, in_flight = p_in_flight, ok = p_ok, failed = p_failed,
           unknown = p_unknown, throttled = p_throttled,
           lease_until = CASE WHEN p_state = 'running' THEN now() + make_interval(secs => p_lease_ms / 1000.0) END,
           updated_at = now()
     WHERE id = p_job;
END
$$;

-- The lease holder renews its lease while the job runs (nothing else changes: the progress is recorded by
-- record_job alone, in the runner's order). Returns false when the lease is no longer this runner's.
CREATE FUNCTION callback_desk.renew_job(p_job bigint, p_instance text, p_lease_ms int) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j callback_desk.jobs := callback_desk.job_for_change(p_job, 'operator');
BEGIN
    IF j.runner IS DISTINCT FROM callback_desk.current_member() OR j.runner_instance IS DISTINCT FROM p_instance
       OR j.state <> 'running' OR p_lease_ms < 100 THEN
        RETURN false;
    END IF;
    UPDATE callback_desk.jobs SET lease_until = now() + make_interval(secs => p_lease_ms / 1000.0) WHERE id = p_job;
    RETURN true;
END
$$;

-- Admins of the account cancel a job, held or not: its lease ends (its runner's next step is refused) and
-- the call in flight stays counted as such.
CREATE FUNCTION callback_desk.cancel_job(p_job bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j callback_desk.jobs := callback_desk.job_for_change(p_job, 'admin');
BEGIN
    UPDATE callback_desk.jobs
       SET state = CASE WHEN state = 'done' THEN state ELSE 'cancelled' END, runner_instance = NULL,
           lease_until = NULL, updated_at = now()
     WHERE id = p_job;
END
$$;

REVOKE ALL ON FUNCTION callback_desk.create_job(bigint, text, jsonb, int), callback_desk.job_for_change(bigint, text),
    callback_desk.take_job(bigint, text, text, int),
    callback_desk.record_job(bigint, text, text, int, int, int, int, int, int, int),
    callback_desk.renew_job(bigint, text, int), callback_desk.cancel_job(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.create_job(bigint, text, jsonb, int),
    callback_desk.take_job(bigint, text, text, int),
    callback_desk.record_job(bigint, text, text, int, int, int, int, int, int, int),
    callback_desk.renew_job(bigint, text, int), callback_desk.cancel_job(bigint) TO {{members}};

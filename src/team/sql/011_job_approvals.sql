-- A bulk job runs under one approval of its whole plan (src/team/approvals.rs `JobPlan`): its params name
-- the job's calls (their number and a SHA-256 of their params, in order) and summarise them in words, so
-- the approval binds every call and the approver sees what the job covers. The requester's job runs it:
-- its first call marks it executed for that job (`job`), and only that job's later calls run under it.
ALTER TABLE callback_desk.approvals ADD COLUMN job text;

-- The id of the approval a job's call runs under: the one the job already runs under, else the requester's
-- approved, unexpired approval of exactly this plan; NULL when there is none. Nothing changes.
CREATE FUNCTION callback_desk.find_job_approval(p_job text, p_merchant text, p_operation text, p_params jsonb)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'operator');
    h bytea := callback_desk.plan_hash(p_merchant, p_operation, p_params);
BEGIN
    IF coalesce(p_job, '') = '' THEN
        RAISE EXCEPTION 'a job approval names its job' USING ERRCODE = '22023';
    END IF;
    RETURN coalesce(
        (SELECT id FROM callback_desk.approvals
          WHERE requested_by = me AND status = 'executed' AND job = p_job AND plan_hash = h
          ORDER BY id LIMIT 1),
        (SELECT id FROM callback_desk.approvals
          WHERE requested_by = me AND status = 'approved' AND job IS NULL AND expires_at > now() AND plan_hash = h
          ORDER BY id LIMIT 1));
END
$$;

-- Just before each call of job p_job leaves: the first call marks the approved, unexpired approval of
-- exactly this plan executed for the job (one audit row); later calls of the same job run under it. Any
-- other job, member or plan is refused (hint approval_not_approved).
CREATE FUNCTION callback_desk.run_job_approval(p_id bigint, p_job text, p_merchant text, p_operation text,
                                               p_params jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'operator');
    h bytea := callback_desk.plan_hash(p_merchant, p_operation, p_params);
    a callback_desk.approvals;
BEGIN
    PERFORM 1 FROM callback_desk.approvals
      WHERE id = p_id AND requested_by = me AND status = 'executed' AND job = p_job AND plan_hash = h;
    IF FOUND THEN
        RETURN;
    END IF;
    UPDATE callback_desk.approvals SET status = 'executed', executed_at = now(), job = p_job
     WHERE id = p_id AND status = 'approved' AND job IS NULL AND requested_by = me AND expires_at > now()
       AND plan_hash = h
    RETURNING * INTO a;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'approval % cannot run', p_id USING ERRCODE = '22023', HINT = 'approval_not_approved';
    END IF;
    PERFORM callback_desk.audit_approval(a, 'executed');
END
$$;

REVOKE ALL ON FUNCTION callback_desk.find_job_approval(text, text, text, jsonb),
    callback_desk.run_job_approval(bigint, text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.find_job_approval(text, text, text, jsonb),
    callback_desk.run_job_approval(bigint, text, text, text, jsonb) TO {{members}};

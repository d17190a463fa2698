-- Four-eyes approvals: a resend the policy (src/team/policy.rs) holds back is requested here, approved or
-- rejected by another member with the role `approver` (or `admin`), and run exactly once by the member who
-- asked. An approval binds the exact plan: the merchant account (src/team/budget.rs `merchant_key`), the
-- operation and its params; `plan_hash` is the SHA-256 of the three, computed here. Every change goes
-- through the SECURITY DEFINER functions below (members only read), and each one is an audit row.

CREATE TABLE callback_desk.approvals (
    id            bigserial PRIMARY KEY,
    merchant      text NOT NULL,
    -- The requester's own id of the account (the installation that runs it).
    local_account bigint NOT NULL,
    account_label text NOT NULL,
    provider      text NOT NULL,
    environment   text NOT NULL,
    operation     text NOT NULL,
    params        jsonb NOT NULL,
    -- Why the policy asks for an approval (reason keys).
    reasons       text[] NOT NULL,
    plan_hash     bytea NOT NULL,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'rejected', 'executed')),
    requested_by  text NOT NULL REFERENCES callback_desk.members (name),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    decided_by    text REFERENCES callback_desk.members (name),
    decided_at    timestamptz,
    reason        text,
    executed_at   timestamptz,
    CHECK (decided_by IS DISTINCT FROM requested_by)
);
CREATE INDEX approvals_by_plan ON callback_desk.approvals (requested_by, plan_hash, status);

-- The plan's hash: merchant, operation and params (jsonb's own canonical text), as one JSON array.
CREATE FUNCTION callback_desk.plan_hash(p_merchant text, p_operation text, p_params jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT sha256(convert_to(jsonb_build_array(p_merchant, p_operation, p_params)::text, 'UTF8'))
$$;

-- One audit row for a step of an approval, in the calling member's name.
CREATE FUNCTION callback_desk.audit_approval(a callback_desk.approvals, p_step text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.append_audit(
        callback_desk.current_member() || '/approval/' || a.id || '/' || p_step, now(), NULL, a.account_label,
        a.provider, a.environment, 'approval', a.operation, 'approval ' || a.id, p_step, NULL, NULL, NULL,
        jsonb_build_object('approval_id', a.id, 'requested_by', a.requested_by, 'params', a.params,
                           'reasons', to_jsonb(a.reasons), 'plan_hash', encode(a.plan_hash, 'hex'),
                           'reason', a.reason));
END
$$;

-- Operators ask for an approval of a plan; returns its id. Asking again for a plan of theirs still waiting
-- returns that request (approvers see it once).
CREATE FUNCTION callback_desk.request_approval(p_merchant text, p_local_account bigint, p_account_label text,
    p_provider text, p_environment text, p_operation text, p_params jsonb, p_reasons text[], p_ttl interval)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'operator');
    a callback_desk.approvals;
BEGIN
    IF p_ttl IS NULL OR p_ttl <= interval '0' OR p_ttl > interval '30 days' THEN
        RAISE EXCEPTION 'an approval lasts up to 30 days' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO a FROM callback_desk.approvals
     WHERE requested_by = me AND status = 'pending' AND expires_at > now()
       AND plan_hash = callback_desk.plan_hash(p_merchant, p_operation, p_params)
     ORDER BY id LIMIT 1;
    IF FOUND THEN
        RETURN a.id;
    END IF;
    INSERT INTO callback_desk.approvals (merchant, local_account, account_label, provider, environment,
                                         operation, params, reasons, plan_hash, requested_by, expires_at)
    VALUES (p_merchant, p_local_account, p_account_label, p_provider, p_environment, p_operation, p_params,
            p_reasons, callback_desk.plan_hash(p_merchant, p_operation, p_params), me, now() + p_ttl)
    RETURNING * INTO a;
    PERFORM callback_desk.audit_approval(a, 'requested');
    RETURN a.id;
END
$$;

-- Approves (p_approve) or rejects with a reason a pending, unexpired request of another member (approvers
-- and admins). Refusals say why in the hint: approval_own, approval_not_pending, approval_expired.
CREATE FUNCTION callback_desk.decide_approval(p_id bigint, p_approve boolean, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'approver');
    a callback_desk.approvals;
BEGIN
    IF NOT p_approve AND coalesce(btrim(p_reason), '') = '' THEN
        RAISE EXCEPTION 'a rejection gives its reason' USING ERRCODE = '22023', HINT = 'approval_reason';
    END IF;
    SELECT * INTO a FROM callback_desk.approvals WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no approval %', p_id USING ERRCODE = '22023', HINT = 'approval_not_found';
    ELSIF a.requested_by = me THEN
        RAISE EXCEPTION 'the requester cannot decide their own request' USING ERRCODE = '42501',
            HINT = 'approval_own';
    ELSIF a.status <> 'pending' THEN
        RAISE EXCEPTION 'approval % is %', p_id, a.status USING ERRCODE = '22023', HINT = 'approval_not_pending';
    ELSIF a.expires_at <= now() THEN
        RAISE EXCEPTION 'approval % expired', p_id USING ERRCODE = '22023', HINT = 'approval_expired';
    END IF;
    UPDATE callback_desk.approvals
       SET status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, decided_by = me,
           decided_at = now(), reason = nullif(btrim(p_reason), '')
     WHERE id = p_id
    RETURNING * INTO a;
    PERFORM callback_desk.audit_approval(a, CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END);
END
$$;

-- The id of the requester's approved, unexpired approval of exactly this plan (or of approval p_id, which
-- must be one), NULL when there is none; nothing changes. Refusals for p_id say why in the hint.
CREATE FUNCTION callback_desk.find_approval(p_id bigint, p_merchant text, p_operation text, p_params jsonb)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'operator');
    a callback_desk.approvals;
BEGIN
    IF p_id IS NULL THEN
        RETURN (SELECT id FROM callback_desk.approvals
                 WHERE requested_by = me AND status = 'approved' AND expires_at > now()
                   AND plan_hash = callback_desk.plan_hash(p_merchant, p_operation, p_params)
                 ORDER BY id LIMIT 1);
    END IF;
    SELECT * INTO a FROM callback_desk.approvals WHERE id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no approval %', p_id USING ERRCODE = '22023', HINT = 'approval_not_found';
    ELSIF a.requested_by <> me THEN
        RAISE EXCEPTION 'only the requester runs an approval' USING ERRCODE = '42501', HINT = 'approval_not_yours';
    ELSIF a.status <> 'approved' THEN
        RAISE EXCEPTION 'approval % is %', p_id, a.status USING ERRCODE = '22023', HINT = 'approval_not_approved';
    ELSIF a.expires_at <= now() THEN
        RAISE EXCEPTION 'approval % expired', p_id USING ERRCODE = '22023', HINT = 'approval_expired';
    ELSIF a.plan_hash <> callback_desk.plan_hash(p_merchant, p_operation, p_params) THEN
        RAISE EXCEPTION 'the plan differs from the approved one' USING ERRCODE = '22023', HINT = 'approval_plan_changed';
    END IF;
    RETURN a.id;
END
$$;

-- Marks an approved, unexpired approval of exactly this plan executed, once, for its requester only, just
-- before the request leaves. Refused (hint approval_not_approved) when another run took it first.
CREATE FUNCTION callback_desk.run_approval(p_id bigint, p_merchant text, p_operation text, p_params jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'operator');
    a callback_desk.approvals;
BEGIN
    UPDATE callback_desk.approvals SET status = 'executed', executed_at = now()
     WHERE id = p_id AND status = 'approved' AND requested_by = me AND expires_at > now()
       AND plan_hash = callback_desk.plan_hash(p_merchant, p_operation, p_params)
    RETURNING * INTO a;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'approval % cannot run', p_id USING ERRCODE = '22023', HINT = 'approval_not_approved';
    END IF;
    PERFORM callback_desk.audit_approval(a, 'executed');
END
$$;

-- Every member sees the requests (the inbox of approvers, the requester's own); nobody changes them but
-- through the functions above.
ALTER TABLE callback_desk.approvals ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.approvals TO {{members}};
CREATE POLICY approvals_seen_by_members ON callback_desk.approvals FOR SELECT TO {{members}}
    USING (callback_desk.current_member() IS NOT NULL);

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.plan_hash(text, text, jsonb),
    callback_desk.request_approval(text, bigint, text, text, text, text, jsonb, text[], interval),
    callback_desk.decide_approval(bigint, boolean, text),
    callback_desk.find_approval(bigint, text, text, jsonb),
    callback_desk.run_approval(bigint, text, text, jsonb) TO {{members}};

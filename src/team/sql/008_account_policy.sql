-- Each shared account's own approval policy, set by its admins (`team policy`, src/team/policy.rs):
-- `{"every_resend": true}` holds back every resend on it for a second member's approval; `{"waive": [...]}`
-- lets through the resends the rule would hold back for those reasons only (e.g. `production`, where single
-- resends are routine); `{}` is the rule as it is. Changes are audit rows.
CREATE FUNCTION callback_desk.set_account_policy(p_account bigint, p_policy jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    UPDATE callback_desk.accounts SET policy = p_policy WHERE id = p_account;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023';
    END IF;
    PERFORM callback_desk.audit_workspace('policy', p_account, 'account ' || p_account || ' policy', p_policy);
    RETURN p_policy;
END
$$;
REVOKE ALL ON FUNCTION callback_desk.set_account_policy(bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.set_account_policy(bigint, jsonb) TO {{members}};

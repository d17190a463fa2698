-- A member's role on one shared account, set by that account's admins (`team role`): it stands in for their
-- workspace role there, higher or lower (a viewer who resends on one account; an operator who only looks
-- things up on another); NULL goes back to the workspace role. Changes are audit rows.
CREATE FUNCTION callback_desk.set_account_role(p_account bigint, p_member text, p_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    IF NOT EXISTS (SELECT 1 FROM callback_desk.accounts WHERE id = p_account) THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM callback_desk.members WHERE name = p_member AND removed_at IS NULL) THEN
        RAISE EXCEPTION 'there is no member %', p_member USING ERRCODE = '42704', HINT = 'member_not_found';
    END IF;
    IF p_role IS NULL THEN
        DELETE FROM callback_desk.account_roles WHERE account_id = p_account AND member = p_member;
    ELSE
        INSERT INTO callback_desk.account_roles (account_id, member, role) VALUES (p_account, p_member, p_role)
            ON CONFLICT (account_id, member) DO UPDATE SET role = EXCLUDED.role;
    END IF;
    PERFORM callback_desk.audit_workspace('role', p_account,
        'account ' || p_account || ' ' || p_member || ' ' || coalesce(p_role, 'workspace role'),
        jsonb_build_object('member', p_member, 'role', p_role));
END
$$;
REVOKE ALL ON FUNCTION callback_desk.set_account_role(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.set_account_role(bigint, text, text) TO {{members}};

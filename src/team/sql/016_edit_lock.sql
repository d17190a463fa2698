-- An admin's edit of a shared account first locks the account's row, until the end of the editing
-- installation's transaction, and only then reads what it seals again: the secrets of its own copies and who
-- holds copies (src/team/shared/changes.rs). Another admin's rotation of a secret or taking back of a member's
-- share then either landed before (and the edit seals the account as it is now) or waits for the edit; it can
-- no longer land between the reading and the edit and be undone by it. Admins of the account only.
CREATE FUNCTION callback_desk.lock_account_for_edit(p_account bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    PERFORM 1 FROM callback_desk.accounts WHERE id = p_account FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023', HINT = 'account_not_found';
    END IF;
END
$$;

REVOKE ALL ON FUNCTION callback_desk.lock_account_for_edit(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.lock_account_for_edit(bigint) TO {{members}};

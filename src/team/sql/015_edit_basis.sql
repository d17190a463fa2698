-- An admin's edit of a shared account names the account as their form showed it (p_basis: its label,
-- environment, base URL, fields and notes; src/accounts.rs, AccountBasis). When another admin changed it
-- since, nothing changes and the caller is told (hint account_changed), so no edit silently undoes
-- another. The account's row stays locked from the comparison to the end of 013's edit, which does the rest
-- (and which installations of the version before call directly, without a basis).
CREATE FUNCTION callback_desk.update_account(p_account bigint, p_label text, p_environment text, p_base_url text,
                                             p_fields jsonb, p_notes text, p_rotated text[], p_members text[],
                                             p_names text[], p_sealed bytea[], p_basis jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    stored callback_desk.accounts;
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    SELECT * INTO stored FROM callback_desk.accounts WHERE id = p_account FOR UPDATE;
    IF FOUND AND p_basis IS NOT NULL AND p_basis IS DISTINCT FROM jsonb_build_object('label', stored.label,
            'environment', stored.environment, 'base_url', stored.base_url, 'fields', stored.fields, 'notes', stored.notes) THEN
        RAISE EXCEPTION 'shared account % was changed after it was read: read it again', p_account
            USING ERRCODE = '40001', HINT = 'account_changed', DETAIL = stored.label;
    END IF;
    PERFORM callback_desk.update_account(p_account, p_label, p_environment, p_base_url, p_fields, p_notes,
                                         p_rotated, p_members, p_names, p_sealed);
END
$$;

REVOKE ALL ON FUNCTION
    callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[], jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[], jsonb)
    TO {{members}};

-- An admin's edit of a shared account names the account as their form showed it (p_basis: its label,
-- environment, base URL, fields and notes; src/accounts.rs, AccountBasis). When another admin changed it
-- since, nothing changes and the caller is told (hint account_changed), so no edit silently undoes
-- another. Compared under the row lock the edit takes anyway. Otherwise as in 013.

CREATE FUNCTION callback_desk.update_account(p_account bigint, p_label text, p_environment text, p_base_url text,
                                             p_fields jsonb, p_notes text, p_rotated text[], p_members text[],
                                             p_names text[], p_sealed bytea[], p_basis jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(p_account, 'admin');
    before callback_desk.accounts;
    left_out text;
BEGIN
    SELECT * INTO before FROM callback_desk.accounts WHERE id = p_account FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023', HINT = 'account_not_found';
    END IF;
    IF p_basis IS NOT NULL AND p_basis IS DISTINCT FROM jsonb_build_object('label', before.label,
            'environment', before.environment, 'base_url', before.base_url, 'fields', before.fields,
            'notes', before.notes) THEN
        RAISE EXCEPTION 'shared account % was changed after it was read: read it again', p_account
            USING ERRCODE = '40001', HINT = 'account_changed', DETAIL = before.label;
    END IF;
    IF cardinality(p_members) IS DISTINCT FROM cardinality(p_names)
       OR cardinality(p_names) IS DISTINCT FROM cardinality(p_sealed) THEN
        RAISE EXCEPTION 'one member and one name per sealed copy' USING ERRCODE = '22023';
    END IF;
    SELECT s.member INTO left_out FROM callback_desk.sealed_secrets s
     WHERE s.account_id = p_account AND s.member <> ALL (coalesce(p_members, '{}')) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% holds copies that would not be sealed again: try again', left_out
            USING ERRCODE = '40001', HINT = 'shares_changed';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_members) m WHERE m <> me AND NOT EXISTS
                 (SELECT 1 FROM callback_desk.sealed_secrets s WHERE s.account_id = p_account AND s.member = m)) THEN
        RAISE EXCEPTION 'copies go only to the members who hold some, and to the caller' USING ERRCODE = '22023';
    END IF;
    UPDATE callback_desk.accounts
       SET label = p_label, environment = p_environment, base_url = p_base_url, fields = coalesce(p_fields, '{}'),
           notes = coalesce(p_notes, '')
     WHERE id = p_account;
    DELETE FROM callback_desk.sealed_secrets WHERE account_id = p_account;
    INSERT INTO callback_desk.sealed_secrets (account_id, member, name, sealed, shared_by)
    SELECT p_account, m, n, s, me FROM unnest(p_members, p_names, p_sealed) AS t(m, n, s);
    PERFORM callback_desk.audit_workspace('account', p_account, 'edit account ' || p_account,
        jsonb_build_object('account_id', p_account, 'edit', true,
            'before', jsonb_build_object('label', before.label, 'environment', before.environment,
                                         'base_url', before.base_url, 'fields', before.fields, 'notes', before.notes),
            'after', jsonb_build_object('label', p_label, 'environment', p_environment, 'base_url', p_base_url,
                                        'fields', coalesce(p_fields, '{}'), 'notes', coalesce(p_notes, '')),
            'rotated', to_jsonb(coalesce(p_rotated, '{}')),
            'sealed_for', (SELECT coalesce(jsonb_agg(DISTINCT m), '[]') FROM unnest(p_members) m)));
END
$$;

REVOKE ALL ON FUNCTION callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[], jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[], jsonb) TO {{members}};

-- 013's edit, which installations of the version before this one still call (their edits go on, without the
-- comparison; its grants stay): the new one without a basis.
CREATE OR REPLACE FUNCTION callback_desk.update_account(p_account bigint, p_label text, p_environment text,
                                                        p_base_url text, p_fields jsonb, p_notes text,
                                                        p_rotated text[], p_members text[], p_names text[],
                                                        p_sealed bytea[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT callback_desk.update_account(p_account, p_label, p_environment, p_base_url, p_fields, p_notes,
                                        p_rotated, p_members, p_names, p_sealed, NULL::jsonb)
$$;

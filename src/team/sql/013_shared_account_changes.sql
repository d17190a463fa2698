-- Changing shared accounts after they are added (src/team/shared.rs): their admins edit one (its fields,
-- and every member's sealed copies sealed again with the secrets as they are now), delete one (with its
-- sealed copies and per-account roles), see who holds a share, and take a share back. Each change is an
-- audit row; members still write no table but through these functions.

-- An audit row keeps naming the account it was about after the account is deleted: the trail is
-- append-only (rows are never updated, so the reference cannot be cleared), and ids are never reused.
ALTER TABLE callback_desk.audit DROP CONSTRAINT audit_account_id_fkey;

-- Who holds sealed copies of an account's secrets, and of which (admins of the account): the members the
-- share dialog lists and an edit seals again for.
CREATE FUNCTION callback_desk.account_shares(p_account bigint)
RETURNS TABLE (member text, secrets text[], shared_by text, shared_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    RETURN QUERY
        SELECT s.member, array_agg(s.name ORDER BY s.name), max(s.shared_by), max(s.shared_at)
          FROM callback_desk.sealed_secrets s
         WHERE s.account_id = p_account
         GROUP BY s.member
         ORDER BY s.member;
END
$$;

-- Admins of the account change its non-secret fields; every member holding copies gets new ones at once
-- (p_members[i] / p_names[i] / p_sealed[i]: one sealed secret each, sealed to that member's key by the
-- admin's installation). Every current holder must be among them, so nobody keeps copies of the secrets or
-- the address as they were; the caller may be one more (an admin who entered the secrets anew). p_rotated
-- names the secrets entered anew (for the trail; never their values).
CREATE FUNCTION callback_desk.update_account(p_account bigint, p_label text, p_environment text, p_base_url text,
                                             p_fields jsonb, p_notes text, p_rotated text[], p_members text[],
                                             p_names text[], p_sealed bytea[]) RETURNS void
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

-- Admins of the account delete it: its sealed copies and per-account roles go with it (ON DELETE CASCADE);
-- the audit rows about it stay. The trail records who held copies then.
CREATE FUNCTION callback_desk.delete_account(p_account bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a callback_desk.accounts;
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    SELECT * INTO a FROM callback_desk.accounts WHERE id = p_account FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023', HINT = 'account_not_found';
    END IF;
    PERFORM callback_desk.audit_workspace('account', p_account, 'delete account ' || p_account,
        jsonb_build_object('account_id', p_account, 'deleted', true, 'label', a.label, 'provider', a.provider,
            'environment', a.environment, 'base_url', a.base_url,
            'held_by', (SELECT coalesce(jsonb_agg(DISTINCT s.member), '[]') FROM callback_desk.sealed_secrets s
                         WHERE s.account_id = p_account)));
    DELETE FROM callback_desk.accounts WHERE id = p_account;
END
$$;

-- Locks shared account p_account's row for a change of p_member's share (taking it back, sharing it) until the
-- end of the caller's transaction; refuses an account or a member that is not there. Called by the functions
-- below only, after their role check.
CREATE FUNCTION callback_desk.lock_account_for_member(p_account bigint, p_member text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM callback_desk.accounts WHERE id = p_account FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023', HINT = 'account_not_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM callback_desk.members WHERE name = p_member AND removed_at IS NULL) THEN
        RAISE EXCEPTION 'there is no member %', p_member USING ERRCODE = '42704', HINT = 'member_not_found';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION callback_desk.lock_account_for_member(bigint, text) FROM PUBLIC;

-- Admins of the account take a member's share back: that member's sealed copies are deleted. Returns the
-- names of the secrets they held (to rotate at the provider: they could have copied them); none when they
-- held no copy.
CREATE FUNCTION callback_desk.unshare_secrets(p_account bigint, p_member text) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    names text[];
BEGIN
    PERFORM callback_desk.require_role(p_account, 'admin');
    PERFORM callback_desk.lock_account_for_member(p_account, p_member);
    WITH gone AS (
        DELETE FROM callback_desk.sealed_secrets WHERE account_id = p_account AND member = p_member RETURNING name
    )
    SELECT coalesce(array_agg(name ORDER BY name), '{}') INTO names FROM gone;
    IF cardinality(names) > 0 THEN
        PERFORM callback_desk.audit_workspace('unshare', p_account, 'account ' || p_account || ' from ' || p_member,
            jsonb_build_object('account_id', p_account, 'member', p_member, 'secrets', to_jsonb(names)));
    END IF;
    RETURN names;
END
$$;

-- A share waits for an edit of the account under way (the account's row is locked by both); the sharing
-- installation then finds, in the same transaction, that its own copies changed, and seals again (shared.rs
-- `share`): no member is left with copies of the secrets or the address as they were.
CREATE OR REPLACE FUNCTION callback_desk.share_secrets(p_account bigint, p_member text, p_names text[],
                                                       p_sealed bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(p_account, 'admin');
BEGIN
    PERFORM callback_desk.lock_account_for_member(p_account, p_member);
    IF cardinality(p_names) IS DISTINCT FROM cardinality(p_sealed) THEN
        RAISE EXCEPTION 'one sealed copy per name' USING ERRCODE = '22023';
    END IF;
    DELETE FROM callback_desk.sealed_secrets WHERE account_id = p_account AND member = p_member;
    INSERT INTO callback_desk.sealed_secrets (account_id, member, name, sealed, shared_by)
    SELECT p_account, p_member, n, s, me FROM unnest(p_names, p_sealed) AS t(n, s);
    PERFORM callback_desk.audit_workspace('share', p_account, 'account ' || p_account || ' to ' || p_member,
        jsonb_build_object('account_id', p_account, 'member', p_member, 'secrets', to_jsonb(p_names)));
END
$$;

REVOKE ALL ON FUNCTION callback_desk.account_shares(bigint),
    callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[]),
    callback_desk.delete_account(bigint), callback_desk.unshare_secrets(bigint, text),
    callback_desk.share_secrets(bigint, text, text[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.account_shares(bigint),
    callback_desk.update_account(bigint, text, text, text, jsonb, text, text[], text[], text[], bytea[]),
    callback_desk.delete_account(bigint), callback_desk.unshare_secrets(bigint, text),
    callback_desk.share_secrets(bigint, text, text[], bytea[]) TO {{members}};

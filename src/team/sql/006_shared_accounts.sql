-- Shared merchant accounts (their non-secret fields in callback_desk.accounts) and their secrets, sealed to
-- each member's public key (crypto_box sealed boxes, made and opened in the members' installations: this
-- database holds ciphertext only). Admins add accounts and share them; removing a member deletes their
-- sealed copies, disables their login role and says which accounts' credentials they could have copied.

-- One member's sealed copy of one secret of one shared account. Each member reads their own copies only;
-- nobody writes the table but through the functions below.
CREATE TABLE callback_desk.sealed_secrets (
    account_id bigint NOT NULL REFERENCES callback_desk.accounts (id) ON DELETE CASCADE,
    member     text NOT NULL REFERENCES callback_desk.members (name),
    name       text NOT NULL,
    sealed     bytea NOT NULL,
    shared_by  text NOT NULL REFERENCES callback_desk.members (name),
    shared_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, member, name)
);
CREATE INDEX sealed_secrets_by_member ON callback_desk.sealed_secrets (member);

ALTER TABLE callback_desk.sealed_secrets ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.sealed_secrets TO {{members}};
CREATE POLICY sealed_secrets_seen_by_their_member ON callback_desk.sealed_secrets FOR SELECT TO {{members}}
    USING (member = callback_desk.current_member());

-- One audit row for a change of the workspace (an account added, shared, a member removed), in the calling
-- member's name.
CREATE FUNCTION callback_desk.audit_workspace(p_kind text, p_account bigint, p_scope text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a callback_desk.accounts;
BEGIN
    SELECT * INTO a FROM callback_desk.accounts WHERE id = p_account;
    PERFORM callback_desk.append_audit(
        callback_desk.current_member() || '/' || p_kind || '/' || p_scope || '/'
            || (extract(epoch FROM clock_timestamp()) * 1000000)::bigint,
        now(), p_account, coalesce(a.label, ''), coalesce(a.provider, ''), coalesce(a.environment, 'custom'),
        p_kind, p_kind, p_scope, 'ok', NULL, NULL, NULL, p_payload);
END
$$;

-- Admins add a shared account (non-secret fields only); returns its id.
CREATE FUNCTION callback_desk.add_account(p_provider text, p_label text, p_environment text, p_base_url text,
                                          p_fields jsonb, p_notes text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'admin');
    id bigint;
BEGIN
    INSERT INTO callback_desk.accounts (provider, label, environment, base_url, fields, notes, created_by)
    VALUES (p_provider, p_label, p_environment, p_base_url, coalesce(p_fields, '{}'), coalesce(p_notes, ''), me)
    RETURNING accounts.id INTO id;
    PERFORM callback_desk.audit_workspace('account', id, 'account ' || id, jsonb_build_object('account_id', id));
    RETURN id;
END
$$;

-- Admins of the account share it with a member: the member's sealed copies of its secrets become exactly
-- p_names / p_sealed (sealed to that member's public key by the admin's installation).
CREATE FUNCTION callback_desk.share_secrets(p_account bigint, p_member text, p_names text[], p_sealed bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(p_account, 'admin');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM callback_desk.accounts WHERE id = p_account) THEN
        RAISE EXCEPTION 'there is no shared account %', p_account USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM callback_desk.members WHERE name = p_member AND removed_at IS NULL) THEN
        RAISE EXCEPTION 'there is no member %', p_member USING ERRCODE = '42704', HINT = 'member_not_found';
    END IF;
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

-- Admins remove a member: their sealed copies are deleted, their login role loses LOGIN and the members'
-- group, and they are marked removed. Returns, for the admin to rotate, every shared account whose secrets
-- that member held a copy of: [{team_account_id, label, provider, secrets: [names]}].
CREATE FUNCTION callback_desk.remove_member(p_name text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.require_role(NULL, 'admin');
    m callback_desk.members;
    s callback_desk.settings;
    rotate jsonb;
BEGIN
    SELECT * INTO m FROM callback_desk.members WHERE name = p_name AND removed_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no member %', p_name USING ERRCODE = '42704', HINT = 'member_not_found';
    END IF;
    IF p_name = me THEN
        RAISE EXCEPTION 'an admin does not remove themselves: another admin does' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO STRICT s FROM callback_desk.settings;
    SELECT coalesce(jsonb_agg(jsonb_build_object('team_account_id', a.id, 'label', a.label,
                                                 'provider', a.provider, 'secrets', to_jsonb(x.names))
                              ORDER BY a.id), '[]')
      INTO rotate
      FROM (SELECT account_id, array_agg(name ORDER BY name) AS names
              FROM callback_desk.sealed_secrets WHERE member = p_name GROUP BY account_id) x
      JOIN callback_desk.accounts a ON a.id = x.account_id;
    DELETE FROM callback_desk.sealed_secrets WHERE member = p_name;
    UPDATE callback_desk.members SET removed_at = now() WHERE name = p_name;
    EXECUTE format('ALTER ROLE %I NOLOGIN', m.role_name);
    EXECUTE format('REVOKE %I FROM %I', s.members_group, m.role_name);
    PERFORM callback_desk.audit_workspace('member', NULL, 'remove ' || p_name,
        jsonb_build_object('member', p_name, 'rotate', rotate));
    RETURN rotate;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.add_account(text, text, text, text, jsonb, text),
    callback_desk.share_secrets(bigint, text, text[], bytea[]), callback_desk.remove_member(text) TO {{members}};

-- Members, shared merchant accounts and the role of each member on each account.
-- Runs as the schema's owner role; {{members}} is the group role every member's login role is in.
-- Every function that changes state is SECURITY DEFINER with a fixed search_path and checks the caller
-- (session_user, the member's own login role) itself; members get SELECT on tables, row-level security
-- decides which rows, and nothing else.

-- Functions are executable by PUBLIC unless revoked; a per-schema default could only add to that, so the
-- default is changed for the owner role as a whole (it creates nothing outside this schema), and every
-- migration ends by revoking again what it created.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA callback_desk FROM PUBLIC;
GRANT USAGE ON SCHEMA callback_desk TO {{members}};

-- One row: the prefix of the workspace's role names and its member group.
CREATE TABLE callback_desk.settings (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    role_prefix   text NOT NULL,
    members_group text NOT NULL
);

CREATE TABLE callback_desk.members (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,31}$'),
    role_name   text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    public_key  bytea,
    invited_by  text REFERENCES callback_desk.members (name),
    invited_at  timestamptz NOT NULL DEFAULT now(),
    joined_at   timestamptz,
    removed_at  timestamptz
);

CREATE TABLE callback_desk.accounts (
    id          bigserial PRIMARY KEY,
    provider    text NOT NULL,
    label       text NOT NULL,
    environment text NOT NULL CHECK (environment IN ('production', 'sandbox', 'custom')),
    base_url    text NOT NULL,
    fields      jsonb NOT NULL DEFAULT '{}',
    notes       text NOT NULL DEFAULT '',
    policy      jsonb NOT NULL DEFAULT '{}',
    created_by  text NOT NULL REFERENCES callback_desk.members (name),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A member's role on one account, when it differs from their workspace role (members.role).
CREATE TABLE callback_desk.account_roles (
    account_id bigint NOT NULL REFERENCES callback_desk.accounts (id) ON DELETE CASCADE,
    member     text NOT NULL REFERENCES callback_desk.members (name),
    role       text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    PRIMARY KEY (account_id, member)
);

-- The member whose login role this session is, or NULL.
CREATE FUNCTION callback_desk.current_member() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT name FROM callback_desk.members WHERE role_name = session_user AND removed_at IS NULL
$$;

-- viewer < operator < approver < admin.
CREATE FUNCTION callback_desk.role_rank(p_role text) RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE p_role WHEN 'viewer' THEN 1 WHEN 'operator' THEN 2 WHEN 'approver' THEN 3 WHEN 'admin' THEN 4 END
$$;

-- The caller's role on an account (its own role there, else their workspace role); on the workspace when
-- p_account is NULL. NULL for anyone who is not a member.
CREATE FUNCTION callback_desk.role_on(p_account bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(ar.role, m.role)
      FROM callback_desk.members m
      LEFT JOIN callback_desk.account_roles ar ON ar.member = m.name AND ar.account_id = p_account
     WHERE m.role_name = session_user AND m.removed_at IS NULL
$$;

-- Refuses (SQLSTATE 42501, the role needed as hint) unless the caller has at least p_role.
CREATE FUNCTION callback_desk.require_role(p_account bigint, p_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    mine text := callback_desk.role_on(p_account);
BEGIN
    IF mine IS NULL OR callback_desk.role_rank(mine) < callback_desk.role_rank(p_role) THEN
        RAISE EXCEPTION 'the role % is needed', p_role USING ERRCODE = '42501', HINT = p_role;
    END IF;
    RETURN callback_desk.current_member();
END
$$;

-- Creates a member and their login role (a password verifier, never a password). Not granted to members:
-- `invite_member` (admins) and the workspace's creation call it.
CREATE FUNCTION callback_desk.create_member(p_name text, p_role text, p_verifier text, p_valid_until timestamptz,
                                            p_invited_by text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s callback_desk.settings;
    login text;
BEGIN
    IF p_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'a SCRAM-SHA-256 password verifier is expected' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO STRICT s FROM callback_desk.settings;
    login := s.role_prefix || '_' || p_name;
    IF EXISTS (SELECT 1 FROM callback_desk.members WHERE name = p_name)
       OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        RAISE EXCEPTION 'the member % exists', p_name USING ERRCODE = '23505', HINT = 'member_exists';
    END IF;
    INSERT INTO callback_desk.members (name, role_name, role, invited_by, joined_at)
    VALUES (p_name, login, p_role, p_invited_by, CASE WHEN p_invited_by IS NULL THEN now() END);
    EXECUTE format('CREATE ROLE %I LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L VALID UNTIL %L IN ROLE %I',
                   login, p_verifier, coalesce(p_valid_until, 'infinity'), s.members_group);
    RETURN login;
END
$$;

-- Admins invite: the member and their login role with a one-time password valid until p_valid_until.
CREATE FUNCTION callback_desk.invite_member(p_name text, p_role text, p_verifier text, p_valid_until timestamptz)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN callback_desk.create_member(p_name, p_role, p_verifier, p_valid_until,
                                       callback_desk.require_role(NULL, 'admin'));
END
$$;

-- The invited member's installation joins, once: its own password replaces the one-time one.
CREATE FUNCTION callback_desk.join_member(p_verifier text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    joined text;
BEGIN
    IF p_verifier !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION 'a SCRAM-SHA-256 password verifier is expected' USING ERRCODE = '22023';
    END IF;
    UPDATE callback_desk.members SET joined_at = now()
     WHERE role_name = session_user AND joined_at IS NULL AND removed_at IS NULL
    RETURNING name INTO joined;
    IF joined IS NULL THEN
        RAISE EXCEPTION 'this invitation was used already' USING ERRCODE = '42501', HINT = 'invite_used';
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', session_user, p_verifier, 'infinity');
    RETURN joined;
END
$$;

ALTER TABLE callback_desk.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_desk.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_desk.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE callback_desk.account_roles ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON callback_desk.members, callback_desk.accounts, callback_desk.account_roles TO {{members}};
CREATE POLICY members_seen_by_members ON callback_desk.members FOR SELECT TO {{members}}
    USING (callback_desk.current_member() IS NOT NULL);
CREATE POLICY accounts_seen_with_a_role ON callback_desk.accounts FOR SELECT TO {{members}}
    USING (callback_desk.role_on(id) IS NOT NULL);
CREATE POLICY account_roles_seen_by_the_member_or_admins ON callback_desk.account_roles FOR SELECT TO {{members}}
    USING (member = callback_desk.current_member() OR callback_desk.role_on(account_id) = 'admin');

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.current_member(), callback_desk.role_rank(text),
    callback_desk.role_on(bigint), callback_desk.require_role(bigint, text),
    callback_desk.invite_member(text, text, text, timestamptz), callback_desk.join_member(text) TO {{members}};

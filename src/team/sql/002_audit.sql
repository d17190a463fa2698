-- The audit trail: every action of every member, append-only, in one hash chain.
-- Rows arrive only through append_audit (members have no INSERT); a trigger refuses UPDATE, DELETE and
-- TRUNCATE to everyone, the owner included. A superuser can still bypass triggers: each row's hash covers
-- the previous row's hash and every column of its own, so `history verify-chain` finds any later change.

CREATE TABLE callback_desk.audit (
    id            bigserial PRIMARY KEY,
    -- Where the row comes from: member / installation / local history id. A push retried after a crash
    -- finds its row here and inserts nothing.
    origin        text NOT NULL UNIQUE,
    member        text NOT NULL REFERENCES callback_desk.members (name),
    at            timestamptz NOT NULL,
    received_at   timestamptz NOT NULL,
    account_id    bigint REFERENCES callback_desk.accounts (id),
    account_label text NOT NULL,
    provider      text NOT NULL,
    environment   text NOT NULL,
    kind          text NOT NULL,
    operation     text NOT NULL,
    scope         text NOT NULL,
    outcome       text NOT NULL,
    http_status   int,
    error_code    text,
    duration_ms   bigint,
    payload       jsonb,
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL
);
CREATE INDEX audit_by_member ON callback_desk.audit (member, id);
CREATE INDEX audit_by_account ON callback_desk.audit (account_id, id);

-- One field of the canonical form: N for NULL, else S, its length in bytes, ':' and the text.
CREATE FUNCTION callback_desk.canon(v text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN v IS NULL THEN 'N' ELSE 'S' || octet_length(v) || ':' || v END
$$;

-- Microseconds since the Unix epoch (time zone settings do not change it).
CREATE FUNCTION callback_desk.epoch_us(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT (extract(epoch FROM t) * 1000000)::bigint
$$;

-- The canonical text of a row: every column but `hash`, in table order, `prev_hash` in hex. Rust
-- (src/team/audit.rs) builds the same text from the columns to verify the chain.
CREATE FUNCTION callback_desk.audit_canonical(a callback_desk.audit) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT callback_desk.canon(a.id::text) || callback_desk.canon(a.origin) || callback_desk.canon(a.member)
        || callback_desk.canon(callback_desk.epoch_us(a.at)::text)
        || callback_desk.canon(callback_desk.epoch_us(a.received_at)::text)
        || callback_desk.canon(a.account_id::text) || callback_desk.canon(a.account_label)
        || callback_desk.canon(a.provider) || callback_desk.canon(a.environment) || callback_desk.canon(a.kind)
        || callback_desk.canon(a.operation) || callback_desk.canon(a.scope) || callback_desk.canon(a.outcome)
        || callback_desk.canon(a.http_status::text) || callback_desk.canon(a.error_code)
        || callback_desk.canon(a.duration_ms::text) || callback_desk.canon(a.payload::text)
        || callback_desk.canon(encode(a.prev_hash, 'hex'))
$$;

-- Appends one row for the calling member (its origin must start with their name); returns its id. The same
-- origin again returns the row already there. One chain: an advisory lock orders appends.
CREATE FUNCTION callback_desk.append_audit(
    p_origin text, p_at timestamptz, p_account_id bigint, p_account_label text, p_provider text,
    p_environment text, p_kind text, p_operation text, p_scope text, p_outcome text, p_http_status int,
    p_error_code text, p_duration_ms bigint, p_payload jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me text := callback_desk.current_member();
    r callback_desk.audit;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'only members write the audit trail' USING ERRCODE = '42501', HINT = 'viewer';
    END IF;
    IF p_account_id IS NOT NULL THEN
        PERFORM callback_desk.require_role(p_account_id, 'viewer');
    END IF;
    IF left(p_origin, length(me) + 1) <> me || '/' THEN
        RAISE EXCEPTION 'an audit row''s origin starts with its member' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('callback_desk.audit'));
    SELECT * INTO r FROM callback_desk.audit WHERE origin = p_origin;
    IF FOUND THEN
        RETURN r.id;
    END IF;
    r.id := nextval(pg_get_serial_sequence('callback_desk.audit', 'id'));
    r.origin := p_origin; r.member := me; r.at := p_at; r.received_at := now();
    r.account_id := p_account_id; r.account_label := p_account_label; r.provider := p_provider;
    r.environment := p_environment; r.kind := p_kind; r.operation := p_operation; r.scope := p_scope;
    r.outcome := p_outcome; r.http_status := p_http_status; r.error_code := p_error_code;
    r.duration_ms := p_duration_ms; r.payload := p_payload;
    r.prev_hash := coalesce((SELECT hash FROM callback_desk.audit ORDER BY id DESC LIMIT 1),
                            '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    r.hash := sha256(r.prev_hash || convert_to(callback_desk.audit_canonical(r), 'UTF8'));
    INSERT INTO callback_desk.audit VALUES (r.*);
    RETURN r.id;
END
$$;

CREATE FUNCTION callback_desk.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are never changed or removed (%)', TG_OP USING ERRCODE = '42501', HINT = 'nobody';
END
$$;
CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON callback_desk.audit
    FOR EACH ROW EXECUTE FUNCTION callback_desk.refuse_audit_change();
CREATE TRIGGER audit_is_never_truncated BEFORE TRUNCATE ON callback_desk.audit
    FOR EACH STATEMENT EXECUTE FUNCTION callback_desk.refuse_audit_change();

-- Members read their own rows and those of accounts they have a role on; admins read all (and so can
-- verify the whole chain).
ALTER TABLE callback_desk.audit ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON callback_desk.audit TO {{members}};
CREATE POLICY audit_seen_by_its_member_the_accounts_members_and_admins ON callback_desk.audit FOR SELECT
    TO {{members}}
    USING (member = callback_desk.current_member()
           OR (account_id IS NOT NULL AND callback_desk.role_on(account_id) IS NOT NULL)
           OR callback_desk.role_on(NULL) = 'admin');

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.current_member(), callback_desk.role_rank(text),
    callback_desk.role_on(bigint), callback_desk.require_role(bigint, text),
    callback_desk.invite_member(text, text, text, timestamptz), callback_desk.join_member(text),
    callback_desk.canon(text), callback_desk.epoch_us(timestamptz), callback_desk.audit_canonical(callback_desk.audit),
    callback_desk.append_audit(text, timestamptz, bigint, text, text, text, text, text, text, text, int, text,
                               bigint, jsonb) TO {{members}};

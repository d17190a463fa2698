-- Each member's public key (X25519), to which account secrets are sealed for them (crypto_box sealed boxes).
-- The private key never leaves the member's installation (its vault). A member publishes only their own.

CREATE FUNCTION callback_desk.publish_public_key(p_key bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF octet_length(p_key) IS DISTINCT FROM 32 THEN
        RAISE EXCEPTION 'an X25519 public key is 32 bytes' USING ERRCODE = '22023';
    END IF;
    UPDATE callback_desk.members SET public_key = p_key WHERE role_name = session_user AND removed_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'only members publish a key' USING ERRCODE = '42501', HINT = 'viewer';
    END IF;
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA callback_desk FROM PUBLIC;
GRANT EXECUTE ON FUNCTION callback_desk.publish_public_key(bytea) TO {{members}};

#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: a new cluster (initdb) in a temporary folder, started
# with pg_ctl on a free loopback port (its socket in that folder too), run as the `postgres` OS user when
# this script runs as root. The command gets the superuser's URL in CALLBACK_DESK_TEST_POSTGRES_URL
# (postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres); the server is stopped and its folder removed
# when the command ends, whatever its outcome. Durability is off (fsync, synchronous_commit): the data
# is thrown away anyway.
#
# TLS is on too, as a team's server would have it: a throwaway certificate authority (openssl) signs the
# server's certificate (for 127.0.0.1 and localhost) and is the authority client certificates are checked
# against. Two NOLOGIN groups make a login role a certificate member once the test grants it one of them:
# CALLBACK_DESK_TEST_POSTGRES_CERT_GROUP (`cert`: a client certificate whose common name is the role, no
# password) and CALLBACK_DESK_TEST_POSTGRES_CERT_SCRAM_GROUP (the password and such a certificate); plain
# connections of their members are rejected. The tests get the authority's certificate and key
# (CALLBACK_DESK_TEST_POSTGRES_CA, CALLBACK_DESK_TEST_POSTGRES_CA_KEY) to issue members' certificates.
# Usage: with-postgres.sh CMD [ARGS...]
set -euo pipefail

# The newest server of the Debian packages (scripts/setup.sh --test installs them), or initdb on PATH.
PG_BIN=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { PG_BIN=$dir; break; }
done
if [ -z "$PG_BIN" ]; then
  command -v initdb >/dev/null 2>&1 || { echo "PostgreSQL server not found: run scripts/setup.sh --test" >&2; exit 1; }
  PG_BIN=$(dirname "$(command -v initdb)")
fi

PG_HOME=$(mktemp -d -t callback-desk-postgres.XXXXXX)
PG_DATA="$PG_HOME/data"
PG_LOG="$PG_HOME/server.log"
PG_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')

# As root, the server runs as `postgres` (PostgreSQL refuses to run as root); otherwise as the caller.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$PG_HOME"
fi
chmod 700 "$PG_HOME"

cleanup() {
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    as_server_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_HOME"
}
trap cleanup EXIT

printf '%s\n' "$PG_PASSWORD" > "$PG_HOME/pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_HOME/pwfile"
# Password (SCRAM) for every TCP connection, so a member's credentials are checked as in production.
as_server_user "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$PG_HOME/pwfile" \
  --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_HOME/initdb.log" 2>&1 \
  || { cat "$PG_HOME/initdb.log" >&2; exit 1; }
rm -f "$PG_HOME/pwfile"

# The certificate authority and the server's certificate (EC keys: quick to make).
command -v openssl >/dev/null 2>&1 || { echo "openssl not found: run scripts/setup.sh --test" >&2; exit 1; }
TLS_DIR="$PG_HOME/tls"
mkdir -p "$TLS_DIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Callback Desk test CA" \
  -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
  > "$TLS_DIR/server.ext"
openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
  -days 2 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.crt" 2>/dev/null
chmod 600 "$TLS_DIR/server.key" "$TLS_DIR/ca.key"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$TLS_DIR"
fi
CERT_GROUP=callback_desk_test_cert
CERT_SCRAM_GROUP=callback_desk_test_cert_scram
# Certificate members first (the first matching line wins): over TLS with a certificate, never in clear.
{
  printf 'hostssl all +%s 127.0.0.1/32 cert\n' "$CERT_GROUP"
  printf 'hostnossl all +%s 127.0.0.1/32 reject\n' "$CERT_GROUP"
  printf 'hostssl all +%s 127.0.0.1/32 scram-sha-256 clientcert=verify-full\n' "$CERT_SCRAM_GROUP"
  printf 'hostnossl all +%s 127.0.0.1/32 reject\n' "$CERT_SCRAM_GROUP"
  cat "$PG_DATA/pg_hba.conf"
} > "$PG_HOME/pg_hba.conf.new"
mv "$PG_HOME/pg_hba.conf.new" "$PG_DATA/pg_hba.conf"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA/pg_hba.conf"

# A free loopback port: the kernel's choice for a socket bound to port 0 (a few tries in case another
# process takes it before the server binds it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
started=0
for _ in 1 2 3 4 5; do
  PG_PORT=${CALLBACK_DESK_TEST_POSTGRES_PORT:-$(free_port)}
  if as_server_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_HOME -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c ssl=on \
     -c ssl_cert_file=$TLS_DIR/server.crt -c ssl_key_file=$TLS_DIR/server.key -c ssl_ca_file=$TLS_DIR/ca.crt" \
    start >/dev/null 2>&1; then
    started=1; break
  fi
  [ -n "${CALLBACK_DESK_TEST_POSTGRES_PORT:-}" ] && break
done
[ $started = 1 ] || { echo "PostgreSQL did not start:" >&2; cat "$PG_LOG" >&2; exit 1; }

export CALLBACK_DESK_TEST_POSTGRES_URL="postgres://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -qX -v ON_ERROR_STOP=1 "$CALLBACK_DESK_TEST_POSTGRES_URL" \
  -c "CREATE ROLE $CERT_GROUP NOLOGIN" -c "CREATE ROLE $CERT_SCRAM_GROUP NOLOGIN" >/dev/null
export CALLBACK_DESK_TEST_POSTGRES_CA="$TLS_DIR/ca.crt"
export CALLBACK_DESK_TEST_POSTGRES_CA_KEY="$TLS_DIR/ca.key"
export CALLBACK_DESK_TEST_POSTGRES_CERT_GROUP=$CERT_GROUP
export CALLBACK_DESK_TEST_POSTGRES_CERT_SCRAM_GROUP=$CERT_SCRAM_GROUP
"$@"

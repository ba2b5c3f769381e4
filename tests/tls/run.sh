#!/bin/sh
# PostgreSQL over TLS for tests/tls/test_tls.c: makes two certificate
# authorities with openssl at run time (a trusted one, whose certificate
# for the host name "localhost" the server presents, and an untrusted one
# that signed nothing the server has), starts a PostgreSQL server with that
# certificate on a loopback port in a scratch directory (as the postgres
# user when run as root), accepting TCP clients over TLS only, then runs
# the test program and tears everything down. No key is ever committed:
# each run makes its own, and they go with the directory.
#
# Usage: run.sh TEST_PROGRAM [ARG...]   (the arguments go to the program)
# Environment for the program: ATESQL_TLS_PORT (the server's TCP port),
# ATESQL_TLS_SOCKET_DIR (its Unix socket, where the postgres superuser is
# trusted), ATESQL_TLS_CA (the trusted CA's certificate, PEM) and
# ATESQL_TLS_OTHER_CA (the untrusted one's).
#
# Without openssl or the PostgreSQL server programs the test reports NOT
# TESTED and exits 77 (ctest: skipped), except under CI, where it fails.
set -eu
program=$1
shift

# Only what the test program says counts: no PG* variable of the caller's
# (pg_virtualenv sets several; a PGHOSTADDR would hide a host name
# mismatch) reaches libpq, here or in the program.
for var in $(env | sed -n 's/^\(PG[A-Z_]*\)=.*/\1/p'); do
  unset "$var"
done

not_tested() {
  if [ -n "${CI:-}" ]; then
    echo "tls_postgres: FAIL: $1 under CI; TLS must be tested" >&2
    exit 1
  fi
  echo "tls_postgres: PostgreSQL over TLS NOT TESTED ($1)"
  exit 77
}
command -v openssl >/dev/null 2>&1 || not_tested "no openssl program"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || not_tested "run as root and there is no postgres user"
fi
scratch_name=atesql-tls
. "$(dirname "$0")/../pg_scratch.sh"

# A port from the process id, apart from tests/replication's range.
port=$((31000 + $$ % 2000))

cleanup() {
  [ -f "$work/data/postmaster.pid" ] &&
    as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  not_tested "no PostgreSQL server programs"
fi

# The certificates. The configuration is written here, so that the
# machine's openssl.cnf adds nothing: a CA may sign certificates, the
# server's is for TLS servers and names "localhost" only (subjectAltName,
# which libpq checks instead of the common name when it is present).
cat >"$work/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
authorityKeyIdentifier = keyid
CNF
newkey="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
for ca in ca other-ca; do
  # shellcheck disable=SC2086 # $newkey: several options
  openssl req -x509 -new -config "$work/openssl.cnf" -extensions ca $newkey \
    -keyout "$work/$ca.key" -out "$work/$ca.pem" -days 2 \
    -subj "/CN=atesql test $ca" 2>"$work/openssl.log" ||
    { cat "$work/openssl.log" >&2; exit 1; }
done
# shellcheck disable=SC2086
openssl req -new -config "$work/openssl.cnf" $newkey \
  -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" \
  2>"$work/openssl.log" || { cat "$work/openssl.log" >&2; exit 1; }
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" \
  -CAkey "$work/ca.key" -set_serial 1 -days 2 -out "$work/server.crt" \
  -extfile "$work/openssl.cnf" -extensions server 2>"$work/openssl.log" ||
  { cat "$work/openssl.log" >&2; exit 1; }
# The server reads its key only when no one else may.
chmod 600 "$work/server.key"
[ "$(id -u)" = 0 ] && chown postgres "$work/server.key" "$work/server.crt"

# The server: TLS on; over TCP only hostssl with a password (SCRAM), so
# a client that does not speak TLS is turned away; the superuser trusted
# on the Unix socket, for the test's own checks.
as_pg "$pgbin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
ssl = on
ssl_cert_file = '$work/server.crt'
ssl_key_file = '$work/server.key'
password_encryption = 'scram-sha-256'
fsync = off
CONF
cat >"$work/data/pg_hba.conf" <<HBA
local   all  postgres                trust
hostssl all  all       127.0.0.1/32  scram-sha-256
HBA
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null ||
  { cat "$work/server.log" >&2; exit 1; }

export ATESQL_TLS_PORT=$port
export ATESQL_TLS_SOCKET_DIR="$work"
export ATESQL_TLS_CA="$work/ca.pem"
export ATESQL_TLS_OTHER_CA="$work/other-ca.pem"
"$program" "$@"

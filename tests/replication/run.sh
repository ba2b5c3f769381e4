#!/bin/sh
# Replicated PostgreSQL for the tests of tests/replication: a primary and a
# streaming standby (initdb, then pg_basebackup -R, synchronous
# replication), and pgbouncer in front of the primary in session and in
# transaction pooling mode, all on loopback ports in a scratch directory,
# as the postgres user when run as root. Then runs the test program given,
# with their addresses in the environment, and tears everything down.
#
# Usage: run.sh TEST_PROGRAM [ARG...]   (the arguments go to the program)
# Environment for the program: ATESQL_REPL_PRIMARY, ATESQL_REPL_STANDBY
# (conninfos without dbname), ATESQL_REPL_BOUNCER_SESSION,
# ATESQL_REPL_BOUNCER_TRANSACTION (likewise), ATESQL_REPL_PRIMARY_PORT and
# ATESQL_REPL_STANDBY_PORT (for multi-host URLs), ATESQL_REPL_DIR and
# ATESQL_REPL_PGBIN (to stop, promote and restart servers).
set -eu
program=$1
shift
scratch_name=atesql-repl
. "$(dirname "$0")/../pg_scratch.sh"

# Ports from the process id, so that parallel runs do not collide.
base=$((20000 + ($$ % 2000) * 5))
primary_port=$base
standby_port=$((base + 1))
session_port=$((base + 2))
transaction_port=$((base + 3))

cleanup() {
  for d in standby primary; do
    [ -f "$work/$d/postmaster.pid" ] &&
      as_pg "$pgbin/pg_ctl" -D "$work/$d" -m immediate stop >/dev/null 2>&1
  done
  for b in session transaction; do
    [ -f "$work/$b.pid" ] && kill "$(cat "$work/$b.pid")" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The primary: trust on loopback, replication on, the standby synchronous.
as_pg "$pgbin/initdb" -D "$work/primary" -A trust -U postgres >/dev/null
cat >>"$work/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 4
hot_standby = on
synchronous_standby_names = 'standby'
synchronous_commit = remote_apply
fsync = off
CONF
as_pg "$pgbin/pg_ctl" -D "$work/primary" -l "$work/primary.log" -w start >/dev/null

# The standby: a base backup that follows the primary (-R writes
# primary_conninfo and standby.signal).
# primary_conninfo (written by -R from -d) names the standby, which makes
# it the synchronous one.
as_pg "$pgbin/pg_basebackup" -D "$work/standby" -R -X stream \
  -d "host=127.0.0.1 port=$primary_port user=postgres application_name=standby" \
  >/dev/null
cat >>"$work/standby/postgresql.conf" <<CONF
port = $standby_port
synchronous_standby_names = ''
CONF
as_pg "$pgbin/pg_ctl" -D "$work/standby" -l "$work/standby.log" -w start >/dev/null

# pgbouncer, twice: session and transaction pooling, a small pool so that
# clients share server connections.
printf '"postgres" ""\n' >"$work/users.txt"
for mode in session transaction; do
  port=$session_port
  [ "$mode" = transaction ] && port=$transaction_port
  cat >"$work/$mode.ini" <<INI
[databases]
* = host=127.0.0.1 port=$primary_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $work/users.txt
pool_mode = $mode
default_pool_size = 2
max_client_conn = 100
pidfile = $work/$mode.pid
logfile = $work/$mode.log
INI
  [ "$(id -u)" = 0 ] && chown postgres "$work/$mode.ini" "$work/users.txt"
  as_pg pgbouncer -d -q "$work/$mode.ini"
done
for port in $session_port $transaction_port; do
  i=0
  until "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    i=$((i + 1))
    [ $i -gt 50 ] && { echo "pgbouncer on port $port did not start" >&2; exit 1; }
    sleep 0.1
  done
done

export ATESQL_REPL_PRIMARY="host=127.0.0.1 port=$primary_port user=postgres"
export ATESQL_REPL_STANDBY="host=127.0.0.1 port=$standby_port user=postgres"
export ATESQL_REPL_BOUNCER_SESSION="host=127.0.0.1 port=$session_port user=postgres"
export ATESQL_REPL_BOUNCER_TRANSACTION="host=127.0.0.1 port=$transaction_port user=postgres"
export ATESQL_REPL_PRIMARY_PORT=$primary_port
export ATESQL_REPL_STANDBY_PORT=$standby_port
export ATESQL_REPL_DIR="$work"
export ATESQL_REPL_PGBIN="$pgbin"
"$program" "$@"

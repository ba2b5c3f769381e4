# Sourced by the suites that start PostgreSQL servers of their own
# (tests/replication/run.sh, tests/tls/run.sh), with scratch_name set to
# the scratch directory's name. Sets pgbin (the newest installed server's
# programs) and work (an empty directory under /tmp, the postgres user's
# when run as root), and defines as_pg, which runs a server program as
# postgres when run as root (the server programs refuse root).
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
work=$(mktemp -d "/tmp/$scratch_name-XXXXXX")
chmod 755 "$work"

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}
[ "$(id -u)" = 0 ] && chown postgres "$work"

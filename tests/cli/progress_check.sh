#!/bin/sh
# Progress lines: drawn on stderr when it is a terminal (script(1) gives
# the program one), never with --quiet, never when stderr is a pipe or a
# file; and what the command prints is the same either way.
#
# Usage: progress_check.sh ATESQL_PROGRAM SCRATCH_DIR
set -eu
program=$1
work=$(mktemp -d "$2/progress-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
  echo "progress_check: $*" >&2
  failed=1
}

# 20000 workers; ATESQL_PROGRESS_DELAY_MS=0 draws the line from the first
# row, so that a machine of any speed shows it.
export ATESQL_PROGRESS_DELAY_MS=0
awk 'BEGIN { for (i = 0; i < 20000; i++)
  printf "{\"workerNamespace\":\"ns\",\"workerPool\":\"cpu\",\"workerPod\":\"p%05d\",\"nodeName\":\"n%d\"}\n", i, i % 50 }' \
  >"$work/fleet.jsonl"

# On a terminal: the line, its rate and share, then erased before the
# result.
db="sqlite:$work/tty.db"
"$program" --db "$db" migrate up >/dev/null
script -qec "'$program' --db '$db' workers import '$work/fleet.jsonl'" \
  /dev/null >"$work/tty.out"
grep -q 'importing workers: [0-9]* rows ([0-9]*%)' \
  "$work/tty.out" || fail "no progress line on a terminal"
grep -q "$(printf '\033\\[K')imported 20000 workers" "$work/tty.out" ||
  fail "the result does not follow an erased line"

# --quiet on a terminal: the result alone.
db="sqlite:$work/quiet.db"
"$program" --db "$db" migrate up >/dev/null
script -qec "'$program' --quiet --db '$db' workers import '$work/fleet.jsonl'" \
  /dev/null >"$work/quiet.out"
[ "$(tr -d '\r' <"$work/quiet.out")" = "imported 20000 workers" ] ||
  fail "--quiet printed more than the result: $(cat -v "$work/quiet.out")"

# stderr a file: nothing on it from import, migrate up or compact.
db="sqlite:$work/pipe.db"
"$program" --db "$db" migrate up >"$work/migrate.out" 2>"$work/migrate.err"
"$program" --db "$db" workers import "$work/fleet.jsonl" \
  >"$work/import.out" 2>"$work/import.err"
"$program" --db "$db" compact --keep-revisions 10 \
  >"$work/compact.out" 2>"$work/compact.err"
for c in migrate import compact; do
  [ -s "$work/$c.err" ] && fail "$c wrote to stderr off a terminal: $(cat "$work/$c.err")"
done
[ "$(cat "$work/import.out")" = "imported 20000 workers" ] ||
  fail "import printed: $(cat "$work/import.out")"
[ "$(cat "$work/compact.out")" = "compacted up to revision 19990" ] ||
  fail "compact printed: $(cat "$work/compact.out")"

[ "$failed" = 0 ] || exit 1
echo "progress_check: drawn on a terminal, not with --quiet, not off one"

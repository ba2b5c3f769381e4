#!/bin/sh
# Runs the libFuzzer harnesses of tests/fuzz/libfuzzer (coverage-guided,
# ASan + UBSan) and fails on any crash, leak, sanitizer report, harness
# check or timeout. From the source root:
#
#   cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/libfuzzer/run.sh                 # bounded: about 60-90 s
#   tests/fuzz/libfuzzer/run.sh --long          # 10^6 executions each
#   LONG=1 tests/fuzz/libfuzzer/run.sh url      # long, one harness
#
# Each harness first replays its known crashes (crashes/NAME/*, kept as
# regression inputs), then fuzzes from a scratch copy of its seed corpus
# (corpus/NAME/, never modified) with its dictionary (NAME.dict), one
# harness at a time. Bounded mode: a fixed number of executions per
# harness (RUNS overrides it), seed 1 (SEED overrides it), at most
# MAX_TIME seconds each (default 150). Long mode (--long or LONG=1): RUNS
# defaults to 1000000, a random seed, no time limit; each harness prints
# executions, exec/s, final cov/ft, corpus size, peak RSS and wall time,
# and the grown corpus is kept (the path is printed) to merge with
#   build/fuzz/tests/fuzz/libfuzzer/libfuzzer_NAME -merge=1 \
#     tests/fuzz/libfuzzer/corpus/NAME GROWN_CORPUS
# BUILD_DIR names the build (default build/fuzz). A crash's input is
# copied to BUILD_DIR/fuzz-artifacts/; to reproduce it, run the harness
# with the file as its argument. Exits 0 when every harness passes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${BUILD_DIR:-$root/build/fuzz}
long=${LONG:-0}
if [ "${1:-}" = "--long" ]; then
  long=1
  shift
fi
harnesses=${*:-selector page_token json_document url}

# NAME BOUNDED_RUNS MAX_LEN: executions in bounded mode are set so each
# harness takes about 15-20 s on one core of a 2-core machine.
settings() {
  case $1 in
  selector) echo "300000 2048" ;;
  page_token) echo "500000 2048" ;;
  json_document) echo "250000 4096" ;;
  url) echo "250000 1024" ;;
  *) return 1 ;;
  esac
}
for name in $harnesses; do
  if ! settings "$name" >/dev/null; then
    echo "run.sh: unknown harness '$name' (selector page_token json_document url)" >&2
    exit 2
  fi
done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/atesql-fuzz.XXXXXX")
[ "$long" = 1 ] || trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs" "$build/fuzz-artifacts"
failed=""

# The value of libFuzzer's final statistic NAME in $log.
final_stat() { grep -a "^stat::$1:" "$log" | awk '{ print $2 }'; }

for name in $harnesses; do
  read -r runs max_len <<EOF
$(settings "$name")
EOF
  runs=${RUNS:-$runs}
  bin=$build/tests/fuzz/libfuzzer/libfuzzer_$name
  if [ ! -x "$bin" ]; then
    echo "run.sh: $bin is missing: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    exit 2
  fi
  log=$scratch/logs/$name.log

  # Known crashes, replayed: each must now pass.
  if [ -d "$here/crashes/$name" ] && [ -n "$(ls -A "$here/crashes/$name")" ]; then
    if ! "$bin" "$here/crashes/$name"/* >"$log" 2>&1; then
      echo "FAIL  $name: a known crash (crashes/$name/) still fails:"
      grep -a -E '^harness:|ERROR|SUMMARY|^Running:|^    #[0-9]' "$log" | head -40
      failed="$failed $name"
      continue
    fi
  fi

  corpus=$scratch/$name
  mkdir -p "$corpus"
  cp "$here/corpus/$name"/* "$corpus"/
  dict=""
  [ -f "$here/$name.dict" ] && dict="-dict=$here/$name.dict"
  if [ "$long" = 1 ]; then
    limits="-runs=${RUNS:-1000000} -seed=${SEED:-0}"
  else
    limits="-runs=$runs -seed=${SEED:-1} -max_total_time=${MAX_TIME:-150}"
  fi
  start=$(date +%s)
  # shellcheck disable=SC2086
  if "$bin" $limits $dict -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
    "$corpus" >"$log" 2>&1; then
    rc=0
  else
    rc=$?
  fi
  wall=$(($(date +%s) - start))
  done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  execs=$(final_stat number_of_executed_units)
  rate=$(final_stat average_exec_per_sec)
  rss=$(final_stat peak_rss_mb)
  cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$done_line" | sed -n 's/.*corp: \([^ ]*\).*/\1/p')
  if [ "$rc" -ne 0 ]; then
    echo "FAIL  $name (exit $rc) after ${wall}s:"
    grep -a -E '^harness:|ERROR|SUMMARY|^    #[0-9]|Test unit written' "$log" | head -60
    failed="$failed $name"
    continue
  fi
  echo "ok    $name: ${execs:-?} executions in ${wall}s (${rate:-?} exec/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?} (units/bytes), peak RSS ${rss:-?} MB, $(grep -a -m1 'INFO: Seed:' "$log" | sed 's/INFO: //')"
  if [ "$long" = 1 ]; then echo "      grown corpus: $corpus, log: $log"; fi
done

if [ -n "$failed" ]; then
  echo "run.sh: failed:$failed (inputs in $build/fuzz-artifacts/)"
  exit 1
fi

#!/bin/sh
# The manual (atesql.1) in step with the program: every --option of
# `atesql --help` is in the manual and every one the manual names is in
# --help; every command word of --help's synopsis lines is in the manual,
# and every command the manual describes is one --help lists; the
# manual's version is `atesql --version`'s, which also names the schema
# version.
#
# Usage: man_check.sh ATESQL_PROGRAM MANUAL
set -eu
program=$1 manual=$2
failed=0
fail() {
  echo "man_check: $*" >&2
  failed=1
}

help=$("$program" --help)
# The manual as text: roff's escaped dashes, fonts and backslashes undone.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\e/\\/g' "$manual")

options() { grep -o -- '--[a-z][a-z-]*' | sort -u; }
help_options=$(printf '%s\n' "$help" | options)
manual_options=$(printf '%s\n' "$text" | options)
for o in $help_options; do
  printf '%s\n' "$manual_options" | grep -qx -- "$o" ||
    fail "--help names $o, the manual does not"
done
for o in $manual_options; do
  printf '%s\n' "$help_options" | grep -qx -- "$o" ||
    fail "the manual names $o, --help does not"
done

# Command words: the synopsis lines of --help's commands (two spaces, then
# a lowercase word), up to the first placeholder or option.
help_words=$(printf '%s\n' "$help" |
  sed -n '/^commands:/,/^options:/p' | grep '^  [a-z]' |
  awk '{ for (i = 1; i <= NF; i++) { if ($i !~ /^[a-z|]+$/) break
         n = split($i, w, "|"); for (j = 1; j <= n; j++) print w[j] } }' |
  sort -u)
[ -n "$help_words" ] || fail "no command words in --help"
for w in $help_words; do
  printf '%s\n' "$text" | grep -qw -- "$w" ||
    fail "--help's command word '$w' is not in the manual"
done
# The manual's commands: the first words of each entry of COMMANDS.
manual_words=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$manual" |
  awk '/^\.TP/ { getline; if ($1 ~ /^\.B/) { gsub(/"/, ""); print $2 } }' |
  tr '|' '\n' | sort -u)
[ -n "$manual_words" ] || fail "no commands in the manual"
for w in $manual_words; do
  printf '%s\n' "$help_words" | grep -qx -- "$w" ||
    fail "the manual describes '$w', which --help does not list"
done

version=$("$program" --version)
case $version in
"atesql "[0-9]*" (schema "[0-9]*")") ;;
*) fail "--version says '$version', not 'atesql X.Y.Z (schema N)'" ;;
esac
number=$(printf '%s\n' "$version" | cut -d' ' -f2)
grep -q "^\.TH ATESQL 1 .*\"atesql $number\"" "$manual" ||
  fail "the manual's header does not name version $number"

[ "$failed" = 0 ] || exit 1
echo "man_check: $(printf '%s\n' "$help_options" | wc -l) options and" \
  "$(printf '%s\n' "$help_words" | wc -l) command words in step; $version"

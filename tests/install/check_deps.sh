#!/bin/sh
# Proves that everything the build and the tests take from the system comes
# from a Debian package that scripts/install-deps installs, so `scripts/demo`
# and `scripts/test` work on a fresh Debian 12 machine, not only on one where
# a developer happened to install the package long ago. (A release failed
# that way: pkg_check_modules(SODIUM REQUIRED libsodium) needed
# libsodium-dev, which install-deps did not list; CI passed because its
# machine already had it.)
#
# Usage: check_deps.sh SOURCE_ROOT [INSTALL_DEPS_SCRIPT]
# The second argument (or $ATESQL_INSTALL_DEPS) names another install-deps
# script to judge, e.g. an edited copy; the default is
# SOURCE_ROOT/scripts/install-deps.
#
# What it checks, each resolved on this machine to the Debian package that
# owns the file (`dpkg -S`, on every symlink from the name to the real
# file, with and without the /usr prefix, since usrmerge registers some
# files as /bin/x and others as /usr/bin/x):
#   1. every pkg-config module named by pkg_check_modules() in the CMake
#      files the build reads, and the modules their .pc files require: the
#      package owning MOD.pc in `pkg-config --variable=pcfiledir MOD`;
#   2. every find_program() (the name after NAMES, or the second argument)
#      and find_package() in those files: the package owning the program;
#      find_package(PkgConfig) means the pkg-config program, and any other
#      find_package, find_library, find_path, find_file or pkg_search_module
#      fails until this test learns how to check it, so nothing goes
#      unchecked;
#   3. the programs in the table below, which CMake itself and the scripts
#      (scripts/test, scripts/demo, .ci/run, tests/install/*.sh, and
#      tests/interop/run.sh and tests/tls/run.sh, ctests too) run, and the
#      few files they need that no program names (libc's headers, the
#      sanitizer runtimes, the PostgreSQL server pg_virtualenv starts, the
#      Go protobuf sources the interop peer is built from).
# The CMake files read are CMakeLists.txt, cmake/*.cmake, and every
# CMakeLists.txt reached by add_subdirectory() (tests/CMakeLists.txt today)
# except bench/: the benchmark is off by default (ATESQL_BENCH) and
# documents its own dependencies (hiredis, ...), which install-deps leaves
# out on purpose. tests/install/consumer/ is not read either: its
# find_package(atesql) finds the atesql just installed, not a Debian package.
#
# A package counts as installed by install-deps when it is named in the
# script's packages="..." list, when apt pulls it in as a Depends or
# Pre-Depends of a listed package (apt-get install adds those; this machine's
# installed dependency graph says which), or when every Debian 12 system has
# it anyway: Essential: yes, or Priority: required (debootstrap, and so the
# official debian:12 image, installs every required package).
#
# Prints one line per dependency and a summary; exits 1 naming every
# package that is missing from install-deps, with what needs it.
set -eu

root=$(cd "${1:?usage: check_deps.sh SOURCE_ROOT [INSTALL_DEPS_SCRIPT]}" && pwd)
deps_script=${2:-${ATESQL_INSTALL_DEPS:-$root/scripts/install-deps}}
case $deps_script in /*) ;; *) deps_script=$(pwd)/$deps_script ;; esac
cd "$root"
tab=$(printf '\t')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/missing"    # lines: package TAB what needs it
: >"$work/unresolved" # lines: what needs it: why no package was found
: >"$work/programs_seen"
: >"$work/modules_seen"
checked=0

# Programs that CMake and the scripts run, besides the shell, its builtins
# and coreutils (Essential), then files they need that no program names
# (an absolute path, a glob: the first match counts). Add a line when a
# script starts running a new program; find_program() calls need no line,
# they are read from CMake.
programs_table() {
  cat <<'TABLE'
cmake          scripts/test scripts/demo tests/install/run.sh
ctest          scripts/test
pg_virtualenv  scripts/test
psql           scripts/test (inside pg_virtualenv) tests/interop/run.sh bindings/go (tests)
cc             CMake's C compiler; tests/install/run.sh
as             the C compiler's assembler
ld             the C compiler's linker; CMAKE_LINKER (ld -r) in CMakeLists.txt
objcopy        CMAKE_OBJCOPY (--localize-hidden) in CMakeLists.txt
ar             CMAKE_AR: the static libraries
ranlib         CMAKE_RANLIB: the static libraries
make           CMake's generator (Unix Makefiles: CMakePresets.json names none)
nm             tests/install/check_symbols.sh
pkg-config     tests/install/run.sh tests/install/check_deps.sh
awk            tests/install/check_symbols.sh tests/install/check_deps.sh
sed            tests/install/run.sh tests/install/check_deps.sh
grep           scripts/install-deps tests/interop/run.sh
cmp            tests/interop/run.sh
dpkg-query     scripts/install-deps tests/install/check_deps.sh
dpkg           tests/install/check_deps.sh (dpkg -S)
apt-get        scripts/install-deps
pgbouncer      tests/replication/run.sh
openssl        tests/tls/run.sh (the test CAs and the server certificate)
pg_ctlcluster  tests/crash/test_crash_postgres.c (restarts the cluster)
pg_lsclusters  tests/crash/test_crash_postgres.c (finds the cluster)
setpriv        tests/pg_scratch.sh (for replication/run.sh, tls/run.sh), test_replication.c (servers as postgres)
clang          scripts/test: the fuzz preset's compiler
llvm-symbolizer  tests/fuzz/libfuzzer/run.sh (sanitizer stack traces)
/usr/include/stdlib.h                  every C file (gcc only recommends libc6-dev)
/usr/include/jsmn.h                    src/codec/tokens.c (check_include_file in CMakeLists.txt)
/usr/lib/gcc/*/*/libasan.so            the asan preset (-fsanitize=address)
/usr/lib/gcc/*/*/libubsan.so           the asan preset (-fsanitize=undefined)
/usr/lib/postgresql/*/bin/postgres     pg_virtualenv: the server it starts
/usr/lib/postgresql/*/bin/initdb       tests/replication/run.sh tests/tls/run.sh
/usr/lib/postgresql/*/bin/pg_basebackup  tests/replication/run.sh
/usr/lib/postgresql/*/bin/pg_ctl       tests/replication/run.sh tests/tls/run.sh
/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a  the fuzz preset (-fsanitize=fuzzer)
/usr/share/gocode/src/google.golang.org/protobuf/encoding/protojson/decode.go  tests/CMakeLists.txt: the interop peer (go build, GOPATH=/usr/share/gocode)
TABLE
}

# --- The packages install-deps installs --------------------------------

# The words of the packages="..." assignment (which may span lines), one per
# line, without :arch qualifiers. Only the assignment is read: the script's
# comments name packages too.
awk '
  !inside && /^[ \t]*packages="/ { inside = 1; sub(/^[ \t]*packages="/, "") }
  inside { if (index($0, "\"")) { sub(/".*/, ""); print; exit } print }
' "$deps_script" | awk '{ for (i = 1; i <= NF; i++) { sub(/:.*/, "", $i); print $i } }' >"$work/listed"
if [ ! -s "$work/listed" ]; then
  echo "FAIL  no packages=\"...\" assignment in $deps_script"
  exit 1
fi

# Every installed package with how install-deps provides it, if it does:
# "listed", "Essential", "Priority: required", or "via P" (a Depends or
# Pre-Depends, transitively, of listed package P). Of "a | b" the first
# alternative installed here counts; virtual names resolve through Provides.
dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Essential}\t${Priority}\t${Provides}\t${Pre-Depends}, ${Depends}\n' |
  awk -F '\t' '
    function bare(s) { sub(/\(.*/, "", s); sub(/:.*/, "", s); gsub(/[ \t]/, "", s); return s }
    function installed_as(name) {
      if (name == "") return ""
      if (name in inst) return name
      if (name in provider) return provider[name]
      return ""
    }
    FNR == NR { if (!($1 in listed)) { listed[$1] = 1; order[++nlisted] = $1 } next }
    $2 !~ /^ii/ { next }
    {
      inst[$1] = 1; ess[$1] = $3; prio[$1] = $4; deps[$1] = $6
      n = split($5, pv, ",")
      for (k = 1; k <= n; k++) { v = bare(pv[k]); if (v != "" && !(v in provider)) provider[v] = $1 }
    }
    END {
      qn = 0
      for (i = 1; i <= nlisted; i++) {
        p = order[i]
        r = installed_as(p)
        if (r == "") print p "\tnot-installed"
        else if (!(r in via)) { via[r] = p; queue[++qn] = r }
      }
      for (qi = 1; qi <= qn; qi++) {
        p = queue[qi]
        nd = split(deps[p], d, ",")
        for (k = 1; k <= nd; k++) {
          na = split(d[k], alt, "|"); r = ""
          for (a = 1; a <= na && r == ""; a++) r = installed_as(bare(alt[a]))
          if (r != "" && !(r in via)) { via[r] = via[p]; queue[++qn] = r }
        }
      }
      for (p in inst) {
        if (p in listed) how = "listed"
        else if (ess[p] == "yes") how = "Essential"
        else if (prio[p] == "required") how = "Priority: required"
        else if (p in via) how = "via " via[p]
        else continue
        print p "\t" how
      }
    }
  ' "$work/listed" - >"$work/covered"
awk -F '\t' '$2 == "not-installed" { print "note  " $1 " is listed but not installed here: run scripts/install-deps first" }' "$work/covered"

# --- Files to packages ---------------------------------------------------

# Prints PATH with /usr added or removed: usrmerge makes /bin/x and
# /usr/bin/x one file, but dpkg knows it under one of the two names only.
usr_variant() {
  case $1 in
  /usr/*) echo "${1#/usr}" ;;
  *) echo "/usr$1" ;;
  esac
}

# Prints the packages that own PATH, or any symlink on the way from PATH to
# the file it finally names, or that file: one per line, without :arch, in
# that order (so the package that owns the name itself comes first).
owners_of() {
  ow_path=$1
  ow_final=$(readlink -f "$1" 2>/dev/null) || ow_final=$1
  set --
  ow_hops=0
  while :; do
    set -- "$@" "$ow_path" "$(usr_variant "$ow_path")"
    if [ ! -L "$ow_path" ] || [ "$ow_hops" -ge 40 ]; then break; fi
    ow_target=$(readlink "$ow_path")
    case $ow_target in /*) ;; *) ow_target=$(dirname "$ow_path")/$ow_target ;; esac
    ow_dir=$(readlink -f "$(dirname "$ow_target")" 2>/dev/null) || ow_dir=$(dirname "$ow_target")
    ow_path=$ow_dir/$(basename "$ow_target")
    ow_hops=$((ow_hops + 1))
  done
  set -- "$@" "$ow_final" "$(usr_variant "$ow_final")"
  # "pkg:arch: /path" or "pkg1, pkg2: /path"; diversions add lines of
  # their own ("diversion by dash from: /bin/sh"), which say nothing of the
  # owner.
  dpkg -S "$@" 2>/dev/null |
    sed -n '/^diversion by /d; /^local diversion /d; s/: \/.*//p' |
    tr ',' '\n' | sed 's/^ *//; s/:.*//; /^$/d' | awk '!seen[$0]++'
}

# Prints "PACKAGE<TAB>HOW" for the best-provided of the packages on stdin
# (listed first, then Essential, required, pulled in; of equals, the
# first); HOW is empty when install-deps provides none of them (PACKAGE is
# then the first), and nothing is printed for no input.
best_provided() {
  awk -F '\t' '
    FNR == NR { how[$1] = $2; next }
    {
      h = ($0 in how) ? how[$0] : ""
      r = h == "listed" ? 1 : h == "Essential" ? 2 : h == "Priority: required" ? 3 : h ~ /^via / ? 4 : 5
      if (h == "not-installed") { h = ""; r = 5 }
      if (best == "" || r < bestr) { best = $0; besth = h; bestr = r }
    }
    END { if (best != "") print best "\t" besth }
  ' "$work/covered" -
}

# Reports one dependency, NAME KIND WHO FILE, FILE being what provides it
# here: prints the "ok" line, or the failure, recorded in $work/missing
# (or $work/unresolved when no package owns FILE).
# With a fifth argument, the best_provided line for FILE is read from that
# file instead of asking dpkg again.
judge_file() {
  checked=$((checked + 1))
  if [ $# -ge 5 ]; then cp "$5" "$work/best"; else owners_of "$4" | best_provided >"$work/best"; fi
  if [ ! -s "$work/best" ]; then
    echo "FAIL  $1 ($2): $4 belongs to no Debian package"
    printf '%s\n' "$1 ($2): $3: $4 belongs to no Debian package" >>"$work/unresolved"
    return
  fi
  IFS=$tab read -r jf_pkg jf_how <"$work/best"
  case $jf_how in
  listed) echo "ok  $1 ($2) <- $jf_pkg" ;;
  Essential) echo "ok  $1 ($2) <- $jf_pkg (Essential: on every Debian system)" ;;
  "Priority: required") echo "ok  $1 ($2) <- $jf_pkg (Priority: required: in every Debian base image)" ;;
  via\ *) echo "ok  $1 ($2) <- $jf_pkg (pulled in by ${jf_how#via })" ;;
  *)
    echo "FAIL  $1 ($2) <- $jf_pkg, which $deps_script does not install"
    printf '%s\t%s\n' "$jf_pkg" "$1 ($2): $3" >>"$work/missing"
    ;;
  esac
}

# Records a dependency that cannot be resolved at all: NAME KIND WHO WHY.
judge_unfound() {
  checked=$((checked + 1))
  echo "FAIL  $1 ($2): $4"
  printf '%s\n' "$1 ($2): $3: $4" >>"$work/unresolved"
}

# Checks pkg-config module MOD needed by WHO, then the modules its .pc file
# requires (Requires and Requires.private: pkg-config reads both).
check_module() {
  if grep -qxF "$1" "$work/modules_seen"; then return; fi
  echo "$1" >>"$work/modules_seen"
  if ! command -v pkg-config >/dev/null 2>&1; then
    judge_unfound "$1" pkg-config "$2" "no pkg-config program to find it"
    return
  fi
  if ! cm_dir=$(pkg-config --variable=pcfiledir "$1" 2>/dev/null) || [ ! -f "$cm_dir/$1.pc" ]; then
    judge_unfound "$1" pkg-config "$2" "pkg-config cannot find $1.pc"
    return
  fi
  judge_file "$1" pkg-config "$2" "$cm_dir/$1.pc"
  for cm_req in $(pkg-config --print-requires --print-requires-private "$1" 2>/dev/null |
    awk '{ print $1 }' | sort -u); do
    check_module "$cm_req" "required by $1.pc"
  done
}

# Checks a program needed by WHO: the first of the NAMEs found, in the
# colon-separated DIRS (a find_program's HINTS and PATHS; may be empty) or
# in $PATH. Of the copies of that name, the first one install-deps provides
# counts, so a hand-installed /usr/local/bin/cmake ahead of the packaged one
# is no failure. A program already checked (for another WHO) is skipped.
check_program() {
  cp_who=$1 cp_dirs=$2
  shift 2
  cp_found=""
  : >"$work/copies"
  cp_ifs=$IFS
  for cp_name in "$@"; do
    IFS=:
    for cp_dir in $cp_dirs $PATH; do
      if [ -n "$cp_dir" ] && [ -f "$cp_dir/$cp_name" ] && [ -x "$cp_dir/$cp_name" ]; then
        echo "$cp_dir/$cp_name" >>"$work/copies"
      fi
    done
    IFS=$cp_ifs
    if [ -s "$work/copies" ]; then
      cp_found=$cp_name
      break
    fi
  done
  if [ -z "$cp_found" ]; then
    cp_names=$(printf '%s|' "$@")
    judge_unfound "${cp_names%|}" program "$cp_who" "not found${cp_dirs:+ in $cp_dirs or} in PATH"
    return
  fi
  if grep -qxF "$cp_found" "$work/programs_seen"; then return; fi
  echo "$cp_found" >>"$work/programs_seen"
  cp_use=""
  while read -r cp_copy; do
    owners_of "$cp_copy" | best_provided >"$work/best_try"
    if [ -z "$cp_use" ] || [ -n "$(cut -f2 "$work/best_try")" ]; then
      cp_use=$cp_copy
      cp "$work/best_try" "$work/best_use"
    fi
    if [ -n "$(cut -f2 "$work/best_try")" ]; then break; fi
  done <"$work/copies"
  judge_file "$cp_found" program "$cp_who" "$cp_use" "$work/best_use"
}

# --- What the CMake files ask for -----------------------------------------

# Prints each command call in the CMake file as FILE<TAB>LINE<TAB>name<TAB>
# arguments, the name lower-cased (CMake's command names are not case
# sensitive), the arguments on one line, comments dropped.
cmake_calls() {
  awk '
    {
      n = length($0)
      for (i = 1; i <= n; i++) {
        c = substr($0, i, 1)
        if (state == "bracket") { if (substr($0, i, 2) == "]]") { state = ""; i++ } continue }
        if (state == "quote") {
          if (c == "\\") { args = args c substr($0, i + 1, 1); i++; continue }
          if (c == "\"") state = ""
          args = args c
          continue
        }
        if (c == "#") { if (substr($0, i, 3) == "#[[") { state = "bracket"; i += 2; continue } break }
        if (c == "\"") { state = "quote"; if (depth > 0) args = args c; continue }
        if (depth == 0) {
          if (c ~ /[A-Za-z0-9_]/) { if (gap) { word = ""; gap = 0 } word = word c }
          else if (c == "(") { depth = 1; name = word; word = ""; gap = 0; args = ""; start = FNR }
          else if (c == " " || c == "\t") gap = (word != "")
          else { word = ""; gap = 0 }
          continue
        }
        if (c == "(") depth++
        else if (c == ")" && --depth == 0) { print FILENAME "\t" start "\t" tolower(name) "\t" args; continue }
        args = args c
      }
      if (depth > 0) args = args " "; else { word = ""; gap = 0 }
    }
  ' "$1"
}

# The files: CMakeLists.txt, cmake/*.cmake, then whatever add_subdirectory()
# reaches from them, bench/ excepted (see the top of this file).
: >"$work/calls"
: >"$work/read"
printf '%s\n' CMakeLists.txt cmake/*.cmake >"$work/todo"
while [ -s "$work/todo" ]; do
  file=$(sed -n 1p "$work/todo")
  sed -i 1d "$work/todo"
  if [ ! -f "$file" ] || grep -qxF "$file" "$work/read"; then continue; fi
  echo "$file" >>"$work/read"
  cmake_calls "$file" >"$work/one"
  cat "$work/one" >>"$work/calls"
  dir=$(dirname "$file")
  awk -F '\t' '$3 == "add_subdirectory" { split($4, a, " "); gsub(/"/, "", a[1]); print a[1] }' "$work/one" |
    while read -r sub; do
      sub=${sub#\$\{CMAKE_CURRENT_SOURCE_DIR\}/}
      case $sub in
      bench) ;;
      *'$'*) printf '%s\t%s\t%s\t%s\n' "$file" "?" unfollowed "$sub" >>"$work/calls" ;;
      *) if [ "$dir" = . ]; then echo "$sub/CMakeLists.txt"; else echo "$dir/$sub/CMakeLists.txt"; fi ;;
      esac
    done >>"$work/todo"
done
echo "CMake files read: $(tr '\n' ' ' <"$work/read")(bench/ skipped: off by default, documents its own dependencies)"

# Words of a call's arguments, one per line, quotes removed, version
# comparisons glued to their module ("libsodium >= 1.0" -> "libsodium>=1.0").
words() {
  printf '%s\n' "$1" | sed 's/"//g; s/[[:space:]]*\([<>=][<>=]*\)[[:space:]]*/\1/g' | awk '{ for (i = 1; i <= NF; i++) print $i }'
}

while IFS=$tab read -r file line cmd args; do
  who="$file:$line $cmd($(printf '%s' "$args" | tr -s ' \t' '  ' | sed 's/^ //; s/ $//'))"
  case $cmd in
  pkg_check_modules)
    words "$args" | sed 1d >"$work/words"
    while read -r w; do
      case $w in
      REQUIRED | QUIET | NO_CMAKE_PATH | NO_CMAKE_ENVIRONMENT_PATH | IMPORTED_TARGET | GLOBAL) ;;
      *'$'*) judge_unfound "$w" pkg-config "$who" "a variable: check_deps.sh cannot resolve it; extend it" ;;
      *) check_module "${w%%[<>=]*}" "$who" ;;
      esac
    done <"$work/words"
    ;;
  find_program)
    # find_program(VAR name [dir...]) or find_program(VAR NAMES name...
    # [HINTS dir...] [PATHS dir...] [OPTIONS...]). Directories holding
    # variables are not searched.
    words "$args" | sed 1d | awk '
      /^[A-Z_]+$/ { section = $0; next }
      NR == 1 { print "name\t" $0; section = "PATHS"; next }
      section == "NAMES" { print "name\t" $0 }
      (section == "HINTS" || section == "PATHS") && /^\// && !/\$/ { print "dir\t" $0 }
    ' >"$work/find"
    dirs=$(awk -F '\t' '$1 == "dir" { printf "%s%s", s, $2; s = ":" }' "$work/find")
    if grep -q '^name.*\$' "$work/find"; then
      judge_unfound "$(awk -F '\t' '$1 == "name" { printf "%s ", $2 }' "$work/find")" program "$who" "a variable: check_deps.sh cannot resolve it; extend it"
    else
      # shellcheck disable=SC2046 # program names: one word each
      check_program "$who" "$dirs" $(awk -F '\t' '$1 == "name" { print $2 }' "$work/find")
    fi
    ;;
  find_package)
    pkgname=$(words "$args" | sed -n 1p)
    case $pkgname in
    PkgConfig) check_program "$who" "" pkg-config ;;
    *) judge_unfound "$pkgname" find_package "$who" "check_deps.sh does not know which Debian package provides it; extend it" ;;
    esac
    ;;
  unfollowed)
    judge_unfound "$args" add_subdirectory "$file" "a variable: check_deps.sh cannot follow it; extend it"
    ;;
  find_library | find_path | find_file | pkg_search_module)
    judge_unfound "$(words "$args" | sed -n 1p)" "$cmd" "$who" "check_deps.sh does not check $cmd yet; extend it"
    ;;
  esac
done <"$work/calls"

# --- What CMake itself and the scripts run --------------------------------

# Checks the first file matching PATTERN, needed by WHO.
check_file() {
  for cf_file in $1; do
    if [ -e "$cf_file" ]; then
      judge_file "$cf_file" file "$2" "$cf_file"
      return
    fi
  done
  judge_unfound "$1" file "$2" "no such file"
}

programs_table >"$work/table"
while read -r prog users; do
  case $prog in
  /*) check_file "$prog" "$users" ;;
  *) check_program "$users" "" "$prog" ;;
  esac
done <"$work/table"

# --- Summary ---------------------------------------------------------------

if [ ! -s "$work/missing" ] && [ ! -s "$work/unresolved" ]; then
  echo "install_deps: $checked dependencies checked, all provided by $deps_script"
  exit 0
fi
echo
echo "install_deps: $checked dependencies checked; FAILED"
if [ -s "$work/missing" ]; then
  echo "packages missing from $deps_script:"
  sort -t "$tab" -k1,1 -s "$work/missing" | awk -F '\t' '
    $1 != last { print "  " $1 ", needed by"; last = $1 }
    { print "      " $2 }
  '
fi
if [ -s "$work/unresolved" ]; then
  echo "dependencies not traced to any Debian package:"
  sed 's/^/  /' "$work/unresolved"
fi
exit 1

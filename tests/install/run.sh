#!/bin/sh
# Install the build into a scratch prefix, then build and run a consumer
# program against the installed library twice: through pkg-config, and
# through find_package(atesql) (shared and static targets).
set -eu
build=$1
here=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null

# pkg-config, shared library.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
cc -std=c11 -Wall -Werror -o "$work/consumer_pc" "$here/consumer.c" \
  $(pkg-config --cflags --libs atesql)
libdir=$(pkg-config --variable=libdir atesql)
LD_LIBRARY_PATH=$libdir "$work/consumer_pc"

# pkg-config, static library.
cc -std=c11 -Wall -Werror -o "$work/consumer_pc_static" "$here/consumer.c" \
  $(pkg-config --cflags atesql) "$libdir/libatesql.a" \
  $(pkg-config --libs-only-l --static atesql | sed 's/-latesql//')
"$work/consumer_pc_static"

# find_package(atesql).
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCONSUMER_SOURCE="$here/consumer.c" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
"$work/cmake-build/consumer_shared"
"$work/cmake-build/consumer_static"

# The installed program runs from its prefix, and its manual is where
# man looks (share/man/man1), in step with it.
"$prefix/bin/atesql" --version
sh "$here/../cli/man_check.sh" "$prefix/bin/atesql" "$prefix/share/man/man1/atesql.1"
echo "install consumer: pkg-config and find_package builds pass"

#!/bin/sh
# SPDX-License-Identifier: MIT
# The program in the EXAMPLE section of libhamming(3) compiles against the
# built library (through libtool, as the page's pkg-config line would against
# the installed one), runs, and prints the output shown after "$ ./example".
# Roff escapes \- \e \(aq are undone first. Exit 0 pass, 1 fail, 77 skip
# (no libtool script or no C compiler), 99 hard error.

srcdir=${HAM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${HAM_BUILDDIR:-$(pwd)}
page=$srcdir/doc/libhamming.3
[ -r "$page" ] || exit 99
if [ ! -x "$builddir/libtool" ] || [ ! -r "$builddir/lib/libhamming.la" ]; then
    echo "man_example: no libtool or lib/libhamming.la in $builddir: skipped"
    exit 77
fi
# The compiler and flags configure chose (make check does not export them):
# a sanitizer build needs its flags on the example too.
mk()
{
    sed -n "s/^$1 = //p" "$builddir/Makefile" 2>/dev/null
}
cc=$(mk CC)
cc=${cc:-${CC:-cc}}
cflags="$(mk CPPFLAGS) $(mk CFLAGS) $(mk LDFLAGS)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/man_example.XXXXXX" 2>/dev/null) || {
    tmp=${TMPDIR:-/tmp}/man_example.$$
    mkdir "$tmp" || exit 99
}
trap 'rm -rf "$tmp"' EXIT

# First .EX block of EXAMPLE: the program; in the second, the lines after
# "$ ./example": its output.
sed -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/\\e/\\/g' "$page" | awk -v dir="$tmp" '
    /^\.SH/ { inex = ($0 ~ /^\.SH "?EXAMPLES?"?$/); next }
    !inex { next }
    /^\.EX/ { blk++; inblk = 1; next }
    /^\.EE/ { inblk = 0; next }
    !inblk || /^\./ { next }
    blk == 1 { print > (dir "/example.c"); next }
    blk == 2 && $0 == "$ ./example" { out = 1; printf "" > (dir "/want"); next }
    blk == 2 && out { print > (dir "/want") }
' || exit 99
if [ ! -s "$tmp/example.c" ] || [ ! -f "$tmp/want" ]; then
    echo "man_example: no program or no output found in $page" >&2
    exit 99
fi

# shellcheck disable=SC2086 # $cc and $cflags are lists of words
if ! "$builddir/libtool" --mode=link --tag=CC $cc $cflags -std=c99 -Wall -Wextra -Werror \
    -I"$srcdir/include" -o "$tmp/example" "$tmp/example.c" "$builddir/lib/libhamming.la" \
    >"$tmp/log" 2>&1; then
    echo "FAIL: the EXAMPLE of libhamming.3 does not compile:"
    sed 's/^/    /' "$tmp/log"
    echo "man_example: 0 passed, 1 failed"
    exit 1
fi
"$builddir/libtool" --mode=execute "$tmp/example" >"$tmp/got" 2>"$tmp/err"
st=$?
if [ "$st" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want" "$tmp/got"; then
    echo "man_example: 1 passed, 0 failed"
    exit 0
fi
echo "FAIL: the EXAMPLE of libhamming.3 exits $st or prints something else:"
diff -u "$tmp/want" "$tmp/got" | sed -e '1,2d' -e 's/^/    /'
sed 's/^/    stderr: /' "$tmp/err"
echo "man_example: 0 passed, 1 failed"
exit 1

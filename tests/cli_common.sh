# SPDX-License-Identifier: MIT
# shellcheck shell=sh
# Sourced by tests/cli_*.sh (POSIX sh). Finds hamgrep and the fixtures, makes
# a scratch directory holding a copy of the fixtures of tests/data, and runs
# there (so that file names in the output are short and known). Provides:
#
#   hg ARGS...           run hamgrep: stdout in $tmp/out, stderr in $tmp/err,
#                        exit status in $st (redirect stdin on the call)
#   expect NAME STATUS OUT ERR
#                        pass if $st, $tmp/out and $tmp/err are exactly
#                        STATUS, OUT and ERR (OUT, ERR: printf formats)
#   ok / bad NAME WHY    count a result checked by other means
#   finish               print "NAME: N passed, N failed" and exit
#
# Environment (set by make check): HAMGREP, the binary or libtool wrapper;
# HAM_SRCDIR, HAM_BUILDDIR; HAM_EXEC_PREFIX, a command put before hamgrep,
# e.g. "valgrind -q --error-exitcode=1 --leak-check=full"; when hamgrep is a
# libtool wrapper script, the prefix is given the real binary (see below).
# Exit status: 0 pass, 1 fail, 77 skip, 99 hard error (automake's convention).
# Under valgrind, errors and leaks show on stderr, which every test compares.

test_name=${0##*/}
test_name=${test_name%.sh}
srcdir=${HAM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${HAM_BUILDDIR:-$(pwd)}
HAMGREP=${HAMGREP:-$builddir/cli/hamgrep}
HAM_EXEC_PREFIX=${HAM_EXEC_PREFIX:-}

if [ ! -x "$HAMGREP" ]; then
    echo "$test_name: hamgrep not found at '$HAMGREP'" >&2
    exit 99
fi
if [ ! -r "$srcdir/tests/data/tiny.fa" ]; then
    echo "$test_name: fixtures not found in '$srcdir/tests/data'" >&2
    exit 99
fi
case $HAMGREP in
/*) ;;
*) HAMGREP=$(pwd)/$HAMGREP ;; # we cd below
esac

# A prefix such as valgrind must run the real binary, not libtool's wrapper
# script (valgrind would check /bin/sh). "libtool --mode=execute" finds it,
# but mangles arguments holding newlines, which some tests pass; so ask it
# once for the binary and the library path it would set, and use those.
if [ -n "$HAM_EXEC_PREFIX" ]; then
    first=
    IFS= read -r first <"$HAMGREP" 2>/dev/null
    case $first in
    '#!'*)
        lt=$builddir/libtool
        var=$(sed -n 's/^shlibpath_var=\([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' "$lt" 2>/dev/null)
        real=$("$lt" --mode=execute echo "$HAMGREP" 2>/dev/null)
        if [ -z "$var" ] || [ ! -x "$real" ] || [ "$real" = "$HAMGREP" ]; then
            echo "$test_name: cannot find the binary behind $HAMGREP with $lt" >&2
            exit 99
        fi
        # shellcheck disable=SC2016,SC2034 # expanded by the inner shell; used by eval
        libpath=$("$lt" --mode=execute sh -c 'eval "printf %s \"\${$1:-}\""' sh "$var" "$HAMGREP")
        eval "$var=\$libpath; export $var"
        HAMGREP=$real
        ;;
    esac
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$test_name.XXXXXX" 2>/dev/null) || {
    tmp=${TMPDIR:-/tmp}/$test_name.$$
    mkdir "$tmp" || exit 99
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
mkdir "$tmp/d" || exit 99
for f in tiny.fa tiny.fq lines.txt one.fa crlf.fa primers.fa; do
    cp "$srcdir/tests/data/$f" "$tmp/d/" || exit 99
done
cd "$tmp/d" || exit 99

pass=0
fail=0

hg()
{
    # shellcheck disable=SC2086 # the prefix is a command line, split on purpose
    $HAM_EXEC_PREFIX "$HAMGREP" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
}

ok()
{
    pass=$((pass + 1))
}

bad()
{
    fail=$((fail + 1))
    echo "FAIL: $1: $2"
}

expect()
{
    # shellcheck disable=SC2059 # the expectations are printf formats
    printf -- "$3" >"$tmp/want_out"
    # shellcheck disable=SC2059
    printf -- "$4" >"$tmp/want_err"
    if [ "$st" = "$2" ] && cmp -s "$tmp/want_out" "$tmp/out" &&
        cmp -s "$tmp/want_err" "$tmp/err"; then
        pass=$((pass + 1))
        return 0
    fi
    fail=$((fail + 1))
    echo "FAIL: $1"
    [ "$st" = "$2" ] || echo "  exit status $st, expected $2"
    cmp -s "$tmp/want_out" "$tmp/out" || {
        echo "  stdout (- expected, + got):"
        diff -u "$tmp/want_out" "$tmp/out" | sed -e '1,2d' -e 's/^/    /'
    }
    cmp -s "$tmp/want_err" "$tmp/err" || {
        echo "  stderr (- expected, + got):"
        diff -u "$tmp/want_err" "$tmp/err" | sed -e '1,2d' -e 's/^/    /'
    }
    return 1
}

# multi_fasta TOTAL SHORT WORDS: about TOTAL bytes of random DNA FASTA on
# stdout, the same for the same arguments: records of 1000 to 400 000 symbols
# in 60-column lines with soft-masked (lower-case) runs, headers ">recN" plus
# WORDS; SHORT = 1 makes a third of the records 1 to 50 symbols long (records
# that start or end right at a batch boundary).
multi_fasta()
{
    awk -v max="$1" -v short="$2" -v words="$3" 'BEGIN {
        x = 12345; split("A C G T", b, " "); r = 0
        while (total < max) {
            x = (x * 69069 + 1) % 4294967296
            len = short && x % 3 == 0 ? 1 + x % 50 : 1000 + int(x / 4294967296 * 400000)
            printf ">rec%d%s\n", r++, words; line = ""; soft = 0
            for (i = 0; i < len; i++) {
                x = (x * 69069 + 1) % 4294967296; c = b[1 + int(x / 1073741824)]
                if (x % 997 == 0) soft = !soft
                line = line (soft ? tolower(c) : c)
                if (length(line) == 60) { print line; line = "" }
            }
            if (line != "") print line
            total += len
        }
    }'
}

finish()
{
    echo "$test_name: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

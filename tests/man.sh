#!/bin/sh
# SPDX-License-Identifier: MIT
# The manual pages format without a single warning (groff -mandoc -ww -z, for
# the default and the UTF-8 devices), libhamming(3) names every function
# declared in hamming.h, and hamgrep(1) every long option of hamgrep --help.
# Skipped (77) without groff; exit 0 pass, 1 fail, 99 hard error.

srcdir=${HAM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${HAM_BUILDDIR:-$(pwd)}
HAMGREP=${HAMGREP:-$builddir/cli/hamgrep}
pass=0
fail=0

bad()
{
    fail=$((fail + 1))
    echo "FAIL: $1"
}

if ! command -v groff >/dev/null 2>&1; then
    echo "man: groff is not installed: skipped"
    exit 77
fi
for page in doc/hamgrep.1 doc/libhamming.3; do
    [ -r "$srcdir/$page" ] || {
        echo "man: $srcdir/$page not found" >&2
        exit 99
    }
    for dev in '' -Tutf8; do
        # shellcheck disable=SC2086 # $dev is empty or one word
        if msg=$(LC_ALL=C groff -mandoc -ww -z $dev "$srcdir/$page" 2>&1) &&
            [ -z "$msg" ]; then
            pass=$((pass + 1))
        else
            bad "groff -ww $dev $page"
            printf '%s\n' "$msg" | sed 's/^/    /'
        fi
    done
done

# Every ham_* function of the public header appears in the library manual.
for f in $(sed -n 's/.*\(ham_[a-z0-9_]*\)(.*/\1/p' "$srcdir/include/hamming.h" | sort -u); do
    if grep -E "$f([^a-z0-9_]|$)" "$srcdir/doc/libhamming.3" >/dev/null; then
        pass=$((pass + 1))
    else
        bad "libhamming.3 does not mention $f"
    fi
done

# Every long option of hamgrep --help appears in its manual (as \-\-name).
if [ -x "$HAMGREP" ]; then
    opts=$("$HAMGREP" --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z-]*\).*/\2/p')
    [ -n "$opts" ] || bad 'no long option found in hamgrep --help'
    for o in $opts; do
        if grep -F "\\-\\-$(printf '%s' "$o" | sed 's/-/\\-/g')" "$srcdir/doc/hamgrep.1" >/dev/null; then
            pass=$((pass + 1))
        else
            bad "hamgrep.1 does not document --$o"
        fi
    done
fi

echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

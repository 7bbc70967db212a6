#!/bin/sh
# SPDX-License-Identifier: MIT
# Every command line of the EXAMPLES section of doc/hamgrep.1 is run here, in
# a copy of tests/data, and its output compared with the lines that follow it
# in the page. In the page, inside .EX/.EE, a line "$ command" is a command
# and the lines after it, up to the next command or .EE, its exact output;
# the roff escapes \- \(aq \e are undone first. Each command must exit 0 and
# print nothing on stderr. See tests/cli_common.sh for the environment.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

page=$srcdir/doc/hamgrep.1
mkdir "$tmp/ex" || exit 99

# Split the EXAMPLES section into $tmp/ex/cmdN and $tmp/ex/outN.
sed -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/\\e/\\/g' "$page" | awk -v dir="$tmp/ex" '
    /^\.SH/ { inex = ($0 ~ /^\.SH "?EXAMPLES"?$/); next }
    !inex { next }
    /^\.EX/ { inblk = 1; next }
    /^\.EE/ { inblk = 0; next }
    !inblk || /^\./ { next }
    substr($0, 1, 2) == "$ " {
        n++
        print substr($0, 3) > (dir "/cmd" n)
        printf "" > (dir "/out" n)
        next
    }
    n > 0 { print > (dir "/out" n) }
    END { print n + 0 > (dir "/count") }
' || exit 99

count=$(cat "$tmp/ex/count")
if [ "$count" -lt 1 ]; then
    echo "$test_name: no example found in $page" >&2
    exit 99
fi

# The commands call hamgrep by name.
hamgrep()
{
    # shellcheck disable=SC2086 # the prefix is a command line
    $HAM_EXEC_PREFIX "$HAMGREP" "$@"
}

i=1
while [ "$i" -le "$count" ]; do
    cmd=$(cat "$tmp/ex/cmd$i")
    eval "$cmd" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ "$st" = 0 ] && cmp -s "$tmp/ex/out$i" "$tmp/out" && [ ! -s "$tmp/err" ]; then
        ok
    else
        bad "\$ $cmd" "exit status $st"
        diff -u "$tmp/ex/out$i" "$tmp/out" | sed -e '1,2d' -e 's/^/    /'
        sed 's/^/    stderr: /' "$tmp/err"
    fi
    i=$((i + 1))
done

finish

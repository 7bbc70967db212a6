#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep --approx with --distances, --seed and --delta: every printed
# distance within [D, (1+EPS) D] of the exact one (0 for 0), the same bytes
# for the same seed (with -j 1 and -j 2), option errors. The library's
# arithmetic is tested by tests/check_approx; this checks the plumbing. Run by
# make check; see tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

usage='Usage: hamgrep [OPTION]... PATTERN [FILE]...\n'
usage=$usage"Try 'hamgrep --help' for more information.\\n"

# ---- A text long enough for sampled estimates ------------------------------------
# 12000 printable bytes from a fixed linear congruential sequence (the same in
# every awk), no newline; the pattern is 3000 of them, so one window matches
# exactly and the rest are at distance ~2970: the engines sample.

awk 'BEGIN { x = 12345; for (i = 0; i < 12000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        printf "%c", 33 + int(x / 65536) % 90 } }' >long.txt
pat=$(cut -c 4001-7000 long.txt)
[ ${#pat} -eq 3000 ] || { echo "cli_approx: cannot cut the pattern"; exit 99; }

# within FILE_EXACT FILE_APPROX EPS: every line "start<TAB>dist" of the
# approximate output has the exact output's start and D <= dist <= (1+EPS) D
within()
{
    awk -v eps="$3" -F '\t' '
        NR == FNR { d[$1] = $2; n++; next }
        { m++
          if (!($1 in d)) { print "no exact line for start " $1; bad = 1; next }
          D = d[$1]; a = $2
          if (D == 0 && a != 0) { print "start " $1 ": D = 0, got " a; bad = 1 }
          if (a < D || a > (1 + eps) * D + 1e-9) {
              print "start " $1 ": D = " D ", got " a; bad = 1 } }
        END { if (m != n) { print m " lines, exact has " n; bad = 1 }; exit bad }' "$1" "$2"
}

hg --whole --distances -e "$pat" long.txt
if [ "$st" = 0 ] && [ "$(wc -l <"$tmp/out")" -eq 9001 ]; then
    ok
    cp "$tmp/out" exact.tsv
else
    bad 'exact --distances' "exit status $st, $(wc -l <"$tmp/out") lines"
fi

for eps in 0.5 0.2 0.1; do
    for eng in auto 3sum sampling; do
        hg --whole --distances --approx=$eps --engine=$eng --seed=7 -e "$pat" long.txt
        if [ "$st" = 0 ] && [ ! -s "$tmp/err" ] && within exact.tsv "$tmp/out" $eps; then
            ok
        else
            bad "--approx=$eps --engine=$eng" "exit status $st; $(head -c 300 "$tmp/err")"
        fi
    done
done

# the exact window is reported as 0, and the same seed gives the same bytes,
# with one thread or two
hg --whole --distances --approx=0.2 --engine=3sum --seed=42 -e "$pat" long.txt
cp "$tmp/out" s42.tsv
if [ "$(awk -F '\t' '$1 == 4000 { print $2 }' s42.tsv)" = 0 ]; then ok; else
    bad '--approx: D = 0 printed as 0' "$(sed -n 4001p s42.tsv)"
fi
hg --whole --distances --approx=0.2 --engine=3sum --seed=42 -j 2 -e "$pat" long.txt
if [ "$st" = 0 ] && cmp -s s42.tsv "$tmp/out"; then ok; else bad '--seed=42 -j 2' 'output differs'; fi
hg --whole --distances --approx=0.2 --engine=3sum --seed=42 --delta=1e-6 -e "$pat" long.txt
if [ "$st" = 0 ] && cmp -s s42.tsv "$tmp/out"; then ok; else bad '--delta=1e-6 is the default' 'output differs'; fi
hg --whole --distances --approx=0.2 --engine=3sum --seed=43 --delta=0.01 -e "$pat" long.txt
if [ "$st" = 0 ] && within exact.tsv "$tmp/out" 0.2; then ok; else bad '--seed=43 --delta=0.01' "exit status $st"; fi

# -k with --approx: windows reported only when their estimate is <= K; the
# exact match is among them
hg --whole -o -b --approx=0.2 --engine=3sum -k 100 -e "$pat" long.txt
if [ "$st" = 0 ] && [ "$(cut -d: -f1 "$tmp/out")" = 4000 ]; then ok; else
    bad '--approx -k 100 -o -b' "exit status $st: $(cut -c 1-40 "$tmp/out")"
fi

# ---- Option errors ------------------------------------------------------------------

hg --delta=0 --approx=0.1 x lines.txt
expect '--delta=0' 2 '' "hamgrep: invalid value '0' for --delta: expected a number above 0 and below 1\\n$usage"
hg --delta=1 --approx=0.1 x lines.txt
expect '--delta=1' 2 '' "hamgrep: invalid value '1' for --delta: expected a number above 0 and below 1\\n$usage"
hg --delta=abc x lines.txt
expect '--delta=abc' 2 '' "hamgrep: invalid value 'abc' for --delta: expected a number above 0 and below 1\\n$usage"
hg --seed=-1 x lines.txt
expect '--seed=-1' 2 '' "hamgrep: invalid seed '-1': expected an integer from 0 to 18446744073709551615\\n$usage"
hg --seed=18446744073709551616 x lines.txt
expect '--seed=2^64' 2 '' "hamgrep: invalid seed '18446744073709551616': expected an integer from 0 to 18446744073709551615\\n$usage"
hg --seed=18446744073709551615 --approx=0.5 --engine=3sum -c IN lines.txt
if [ "$st" = 0 ] || [ "$st" = 1 ]; then ok; else bad '--seed=2^64-1' "exit status $st"; fi

finish

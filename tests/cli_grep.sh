#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep's grep behaviour: several patterns (-e, -f), -c -l -L -q -s, -n -b
# -H -h, -i, --color, -r and binary files (-a -I), -j and --approx accepted,
# exit statuses and write errors. Expected outputs are worked out by hand
# from tests/data (README there): lines.txt lines start at bytes 0, 12, 22,
# 35 and 41. Run by make check; see tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

usage='Usage: hamgrep [OPTION]... PATTERN [FILE]...\n'
usage=$usage"Try 'hamgrep --help' for more information.\\n"
tsv8='#file\tseq\tstart\tend\tstrand\tdist\tmatch\tpattern\n'

# ---- Several patterns: -e and -f -----------------------------------------------

hg -e hello -e HELLO lines.txt
expect '-e twice: one pass, each line once' 0 'hello world\nHELLO\nyellow hello\n' ''
hg --pattern=HELLO -e hello lines.txt
expect '--pattern' 0 'hello world\nHELLO\nyellow hello\n' ''
hg -e hello <lines.txt
expect '-e: no FILE reads stdin' 0 'hello world\nyellow hello\n' ''
hg --format=tsv -e HELLO -e hello lines.txt
expect '-e: tsv pattern column, pattern order within a position' 0 \
    "$tsv8"'lines.txt\t1\t0\t5\t+\t0\thello\thello\nlines.txt\t4\t0\t5\t+\t0\tHELLO\tHELLO\nlines.txt\t5\t7\t12\t+\t0\thello\thello\n' ''
hg -o -e ll -e hell lines.txt
expect '-o: windows by start, then pattern order' 0 'hell\nll\nll\nll\nhell\nll\n' ''
printf 'hello\n\n\nHELLO\r\n' >pats.txt
hg -f pats.txt lines.txt
expect '-f: one per line, blank lines skipped, CR removed' 0 'hello world\nHELLO\nyellow hello\n' ''
hg -f pats.txt -e nothing --file=pats.txt -c lines.txt
expect '-f and -e mixed' 0 '4\n' ''
hg -f - lines.txt <pats.txt
expect '-f -: patterns from stdin' 0 'hello world\nHELLO\nyellow hello\n' ''
hg -f /dev/null lines.txt
expect '-f with no pattern: nothing matches' 1 '' ''
hg -L -f /dev/null lines.txt
expect '-f with no pattern, -L' 1 'lines.txt\n' ''
hg -f nopats.txt lines.txt
expect '-f missing file' 2 '' 'hamgrep: nopats.txt: No such file or directory\n'
printf '>a\nACGT\n>empty\n>b\nGG\n' >emptyrec.fa
hg -f emptyrec.fa tiny.fa
expect '-f FASTA with an empty record' 2 '' 'hamgrep: emptyrec.fa: empty pattern\n'
hg -e '' lines.txt
expect '-e empty' 2 '' "hamgrep: empty PATTERN\\n$usage"
hg -e hello -e '' lines.txt
expect '-e empty among others' 2 '' "hamgrep: empty PATTERN\\n$usage"

# ---- -c -l -L -q -s and exit statuses ---------------------------------------------

hg -c -k 1 hello lines.txt
expect '-c' 0 '3\n' ''
hg -c hullo lines.txt
expect '-c, no hit' 1 '0\n' ''
hg -c -k 1 hello lines.txt tiny.fa
expect '-c, two files' 0 'lines.txt:3\ntiny.fa:0\n' ''
hg -c -h -k 1 hello lines.txt tiny.fa
expect '-c -h' 0 '3\n0\n' ''
hg -c -o -k 1 hello lines.txt
expect '-c wins over -o (lines, not windows)' 0 '3\n' ''
hg -c --format=tsv -k 1 ACGTTT tiny.fq
expect '-c wins over --format' 0 '2\n' ''
hg -c TTAC tiny.fa
expect '-c counts records' 0 '2\n' ''
hg -l ACGTTT tiny.fa lines.txt tiny.fq
expect '-l' 0 'tiny.fa\ntiny.fq\n' ''
hg -l hullo lines.txt tiny.fa
expect '-l, no hit' 1 '' ''
hg -L ACGTTT tiny.fa lines.txt tiny.fq
expect '-L: exit 0 when a line matched (grep >= 3.5)' 0 'lines.txt\n' ''
hg -L hullo lines.txt tiny.fa
expect '-L, no hit anywhere: exit 1' 1 'lines.txt\ntiny.fa\n' ''
hg -l -c hello lines.txt
expect '-l wins over -c' 0 'lines.txt\n' ''
hg -q hello lines.txt
expect '-q, hit' 0 '' ''
hg -q hullo lines.txt
expect '-q, no hit' 1 '' ''
hg -q hello nonexist lines.txt
expect '-q: a hit after an error exits 0' 0 '' 'hamgrep: nonexist: No such file or directory\n'
hg -q hello lines.txt nonexist
expect '-q: stops at the first hit' 0 '' ''
hg -q hello nonexist
expect '-q: error, no hit' 2 '' 'hamgrep: nonexist: No such file or directory\n'
hg -s hello nonexist lines.txt
expect '-s: no message, still exit 2' 2 'lines.txt:hello world\nlines.txt:yellow hello\n' ''
hg -s hello .
expect '-s: directory' 2 '' ''
hg -c hello nonexist lines.txt
expect '-c: an unreadable file prints no count' 2 'lines.txt:2\n' 'hamgrep: nonexist: No such file or directory\n'
printf '>a\nACGTTT\n@x\n' >bad.fq
hg --fastq ACGTTT bad.fq
expect '-s does not hide format errors (and --fastq)' 2 '' "hamgrep: bad.fq: line 1: expected '@' at the start of a FASTQ record\\n"

# ---- -n -b -H -h ------------------------------------------------------------------

hg -n -k 1 hello lines.txt
expect '-n' 0 '1:hello world\n2:say hallo\n5:yellow hello\n' ''
hg -b -k 1 hello lines.txt
expect '-b' 0 '0:hello world\n12:say hallo\n41:yellow hello\n' ''
hg -H -n -b -k 1 hello lines.txt
expect '-H -n -b: in that order' 0 'lines.txt:1:0:hello world\nlines.txt:2:12:say hallo\nlines.txt:5:41:yellow hello\n' ''
hg -o -b -k 1 hello lines.txt
expect '-o -b: offset of each window' 0 '0:hello\n16:hallo\n41:yello\n48:hello\n' ''
hg -o -n -b ACGTTT tiny.fa
expect '-o -n -b: FASTA window across a wrap' 0 '2:25:ACGTTT\n' ''
hg -o -n -b -k 1 ACGTTT tiny.fq
expect '-o -n -b: FASTQ' 0 '2:11:ACGTTT\n10:63:ACGTAT\n' ''
hg -n TTAC tiny.fa
expect '-n: every line of a FASTA record' 0 '1:>r1 first record\n2:ACGTACGTAC\n3:GTTTACGGAC\n6:>r3 last one\n7:GATTACA\n' ''
hg -b GGCC tiny.fa
expect '-b: FASTA record' 0 '39:>r2\n43:TTTTGGGGCC\n' ''
hg -h -k 1 hello lines.txt lines.txt
expect '-h' 0 'hello world\nsay hallo\nyellow hello\nhello world\nsay hallo\nyellow hello\n' ''
hg -H hello lines.txt
expect '-H' 0 'lines.txt:hello world\nlines.txt:yellow hello\n' ''
hg -n --whole -k 1 'd say' lines.txt
expect '-n with --whole' 0 '1:hello world\n2:say hallo\n' ''

# ---- Case -------------------------------------------------------------------------

hg HELLO lines.txt
expect 'text lines are case-sensitive' 0 'HELLO\n' ''
hg -i hello lines.txt
expect '-i' 0 'hello world\nHELLO\nyellow hello\n' ''
hg -i -o heLLo lines.txt
expect '-i -o prints the text as found' 0 'hello\nHELLO\nhello\n' ''
hg --ignore-case -c acgttt tiny.fq
expect '--ignore-case' 0 '1\n' ''

# ---- --color ------------------------------------------------------------------------

e=$(printf '\033')
ms="${e}[01;31m${e}[K"
mm="${e}[01;07;31m${e}[K"
off="${e}[m${e}[K"
hg --color=always -k 1 hallo lines.txt
expect '--color=always: matches and mismatches' 0 \
    "${ms}h${off}${mm}e${off}${ms}llo${off} world\\nsay ${ms}hallo${off}\\nyellow ${ms}h${off}${mm}e${off}${ms}llo${off}\\n" ''
hg --color=always -o -k 1 ACGTTT tiny.fq
expect '--color -o' 0 "${ms}ACGTTT${off}\\n${ms}ACGT${off}${mm}A${off}${ms}T${off}\\n" ''
hg --colour=always -H -n hallo lines.txt
expect '--colour: file name, line number, separators' 0 \
    "${e}[35m${e}[Klines.txt${off}${e}[36m${e}[K:${off}${e}[32m${e}[K2${off}${e}[36m${e}[K:${off}say ${ms}hallo${off}\\n" ''
hg --color=always ACGTTT tiny.fa
expect '--color: FASTA window across a wrap' 0 ">r1 first record\\nACGTACGT${ms}AC${off}\\n${ms}GTTT${off}ACGGAC\\n" ''
GREP_COLORS='ms=04:mm=07:fn=' hg --color=always -k 1 -H hallo lines.txt
expect 'GREP_COLORS' 0 \
    "lines.txt${e}[36m${e}[K:${off}${e}[04m${e}[Kh${off}${e}[07m${e}[Ke${off}${e}[04m${e}[Kllo${off} world\\nlines.txt${e}[36m${e}[K:${off}say ${e}[04m${e}[Khallo${off}\\nlines.txt${e}[36m${e}[K:${off}yellow ${e}[04m${e}[Kh${off}${e}[07m${e}[Ke${off}${e}[04m${e}[Kllo${off}\\n" ''
unset GREP_COLORS
hg --color=always -c hello lines.txt
expect '--color does not touch counts' 0 '2\n' ''
for w in never auto; do
    hg --color=$w hallo lines.txt
    expect "--color=$w (not a terminal)" 0 'say hallo\n' ''
done
hg --color hallo lines.txt
expect '--color alone is auto' 0 'say hallo\n' ''
hg --color=sometimes hallo lines.txt
expect '--color=sometimes' 2 '' "hamgrep: invalid argument 'sometimes' for --color: expected never, always or auto\\n$usage"

# ---- -r and binary files --------------------------------------------------------------

mkdir -p tree/sub tree/a
cp tiny.fa tree/
cp lines.txt tree/sub/
printf 'ACGTTT\000\n' >tree/a/bin.dat
ln -s ../tiny.fa tree/sub/link.fa 2>/dev/null
hg -r ACGTTT tree
expect '-r: names, order, binary and links skipped' 0 'tree/tiny.fa:>r1 first record\ntree/tiny.fa:ACGTACGTAC\ntree/tiny.fa:GTTTACGGAC\n' ''
hg -r -c -k 1 hello tree
expect '-r -c' 0 'tree/sub/lines.txt:3\ntree/tiny.fa:0\n' ''
hg -r -a -l ACGTTT tree
expect '-r -a: binary files searched' 0 'tree/a/bin.dat\ntree/tiny.fa\n' ''
(cd tree && $HAM_EXEC_PREFIX "$HAMGREP" -r -l hello >"$tmp/out" 2>"$tmp/err")
st=$?
expect '-r without FILE: the working directory, no ./' 0 'sub/lines.txt\n' ''
hg -r hello tree/sub/lines.txt
expect '-r on a file: no name' 0 'hello world\nyellow hello\n' ''
hg hello tree
expect 'directory without -r' 2 '' 'hamgrep: tree: Is a directory\n'
hg ACGTTT tree/a/bin.dat
expect 'binary file named: message, no lines, exit 0' 0 '' 'hamgrep: tree/a/bin.dat: binary file matches\n'
hg -c ACGTTT tree/a/bin.dat
expect 'binary file: -c counts' 0 '1\n' ''
hg -a ACGTTT tree/a/bin.dat
expect '-a' 0 'ACGTTT\000\n' ''
hg --binary-files=text -o ACGTTT tree/a/bin.dat
expect '--binary-files=text' 0 'ACGTTT\n' ''
hg -I ACGTTT tree/a/bin.dat tiny.fa
expect '-I: skipped' 0 'tiny.fa:>r1 first record\ntiny.fa:ACGTACGTAC\ntiny.fa:GTTTACGGAC\n' ''
hg --binary-files=without-match -c ACGTTT tree/a/bin.dat
expect '--binary-files=without-match' 1 '' ''
hg --binary-files=binary ACGTTT tree/a/bin.dat
expect '--binary-files=binary' 0 '' 'hamgrep: tree/a/bin.dat: binary file matches\n'
hg --binary-files=maybe ACGTTT tiny.fa
expect '--binary-files bad' 2 '' "hamgrep: invalid argument 'maybe' for --binary-files: expected binary, text or without-match\\n$usage"

# ---- Threads, approximation, progress: accepted, output unchanged --------------------

for j in '-j 2' '-j0' '--threads=3'; do
    # shellcheck disable=SC2086
    hg $j -k 1 hello lines.txt tiny.fa
    expect "$j" 0 'lines.txt:hello world\nlines.txt:say hallo\nlines.txt:yellow hello\n' ''
done
for v in x -1 1025; do
    hg -j "$v" hello lines.txt
    expect "-j '$v'" 2 '' "hamgrep: invalid thread count '$v' for -j: expected an integer from 0 to 1024\\n$usage"
done
hg --approx=0.5 -k 1 hello lines.txt
expect '--approx: exact until approximate engines exist' 0 'hello world\nsay hallo\nyellow hello\n' ''
for v in 1 -0.1 x ''; do
    hg --approx="$v" hello lines.txt
    expect "--approx='$v'" 2 '' "hamgrep: invalid value '$v' for --approx: expected a number from 0 to below 1\\n$usage"
done
hg --no-progress hello lines.txt
expect '--no-progress' 0 'hello world\nyellow hello\n' ''
hg --progress hello lines.txt
if [ "$st" = 0 ] && grep 'lines\.txt  100\.0%' "$tmp/err" >/dev/null &&
    [ "$(cat "$tmp/out")" = "$(printf 'hello world\nyellow hello')" ]; then ok; else bad '--progress' "status $st or output"; fi
hg --progress hello - <lines.txt
if [ "$st" = 0 ] && grep -e '- .*/s' "$tmp/err" >/dev/null; then ok; else bad '--progress on a pipe' "status $st"; fi

# ---- Option combinations --------------------------------------------------------------

hg --distances -c AGG one.fa
expect '--distances -c' 2 '' "hamgrep: --distances cannot be combined with -o, -c, -l, -L, --rc or --format\\n$usage"
hg --distances --rc AGG one.fa
expect '--distances --rc' 2 '' "hamgrep: --distances cannot be combined with -o, -c, -l, -L, --rc or --format\\n$usage"
hg --distances -e AGG -e ACG one.fa
expect '--distances, two patterns' 2 '' "hamgrep: --distances needs exactly one pattern\\n$usage"
hg -e hello -k
expect '-k without argument after -e' 2 '' "hamgrep: option '-k' needs an argument\\n$usage"
hg --max-mismatches=1 -c hello lines.txt
expect '--max-mismatches' 0 '3\n' ''
hg -V -x
expect 'a bad option wins over -V' 2 '' "hamgrep: unknown option '-x'\\n$usage"

# ---- Write errors -------------------------------------------------------------------------

if [ -w /dev/full ]; then
    for args in '-c hello lines.txt' '-l hello lines.txt' '-L hullo lines.txt' \
        '--format=json hello lines.txt' '--format=bed ACGTTT tiny.fa' '-o -n -b ACGTTT tiny.fa' \
        '--color=always hallo lines.txt' '-e hello -e world lines.txt' '-j 2 hello lines.txt'; do
        # shellcheck disable=SC2086
        $HAM_EXEC_PREFIX "$HAMGREP" $args >/dev/full 2>"$tmp/err"
        st=$?
        : >"$tmp/out"
        expect "write error: $args" 2 '' 'hamgrep: write error: No space left on device\n'
    done
else
    echo "note: no /dev/full: write errors not exercised"
fi

finish

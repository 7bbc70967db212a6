#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep's behaviour: arguments, input formats, output formats, exit status
# and error messages, with exact expected output for the small fixtures of
# tests/data (README there; the expected values are worked out by hand). The
# library's arithmetic is tested by the Check suites, not here.
# Run by make check; see tests/cli_common.sh for the environment.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

usage='Usage: hamgrep [OPTION]... PATTERN [FILE]...\n'
usage=$usage"Try 'hamgrep --help' for more information.\\n"
lines_hello_k1='hello world\nsay hallo\nyellow hello\n'
tsv_head='#file\tseq\tstart\tend\tstrand\tdist\tmatch\n'

# ---- Arguments ---------------------------------------------------------------

hg
expect 'no arguments' 2 '' "hamgrep: missing PATTERN\\n$usage"

hg --help
if [ "$st" = 0 ] && [ ! -s "$tmp/err" ] &&
    [ "$(sed -n 1p "$tmp/out")" = 'Usage: hamgrep [OPTION]... PATTERN [FILE]...' ] &&
    grep '^Engines in this build: auto naive' "$tmp/out" >/dev/null; then
    ok
else
    bad '--help' "status $st or output"
fi

for v in -V --version; do
    hg $v
    if [ -n "${PACKAGE_VERSION:-}" ]; then
        expect "$v" 0 "hamgrep (libhamming) $PACKAGE_VERSION\\nlibrary: libhamming $PACKAGE_VERSION\\n" ''
    elif [ "$st" = 0 ] && grep '^hamgrep (libhamming) [0-9]*\.[0-9]*\.[0-9]*$' "$tmp/out" >/dev/null; then
        ok
    else
        bad "$v" "status $st or output"
    fi
done

hg -x hello lines.txt
expect 'unknown short option' 2 '' "hamgrep: unknown option '-x'\\n$usage"
hg -ox hello lines.txt
expect 'unknown short option in a group' 2 '' "hamgrep: unknown option '-x'\\n$usage"
hg --frobnicate=1 hello lines.txt
expect 'unknown long option' 2 '' "hamgrep: unknown option '--frobnicate'\\n$usage"
hg --dist hello lines.txt
expect 'abbreviated long option' 2 '' "hamgrep: unknown option '--dist'\\n$usage"
hg --whole=yes hello lines.txt
expect 'argument to a flag' 2 '' "hamgrep: option '--whole' takes no argument\\n$usage"
hg hello lines.txt --format
expect '--format without argument' 2 '' "hamgrep: option '--format' needs an argument\\n$usage"
hg --format=xml hello lines.txt
expect '--format=xml' 2 '' "hamgrep: invalid format 'xml': expected plain, tsv, bed or json\\n$usage"
hg hello lines.txt -k
expect '-k without argument' 2 '' "hamgrep: option '-k' needs an argument\\n$usage"

for v in -1 abc 1x '' ' 1' +1 0x10 4294967295 99999999999999999999; do
    hg -k "$v" hello lines.txt
    expect "-k '$v'" 2 '' "hamgrep: invalid distance '$v' for -k: expected an integer from 0 to 4294967294\\n$usage"
done
hg -k 4294967294 hello lines.txt
expect '-k 4294967294 (every window matches)' 0 'hello world\nsay hallo\nnothing here\nHELLO\nyellow hello\n' ''
hg -k 5 hello lines.txt
expect '-k m' 0 'hello world\nsay hallo\nnothing here\nHELLO\nyellow hello\n' ''

hg '' lines.txt
expect 'empty pattern' 2 '' "hamgrep: empty PATTERN\\n$usage"
hg --engine=bogus hello lines.txt
expect 'unknown engine' 2 '' "hamgrep: unknown engine 'bogus'\\n$usage"
hg --distances -o AGG one.fa
expect '--distances -o' 2 '' "hamgrep: --distances cannot be combined with -o, -c, -l, -L, --rc or --format\\n$usage"
hg --distances --format=tsv AGG one.fa
expect '--distances --format=tsv' 2 '' "hamgrep: --distances cannot be combined with -o, -c, -l, -L, --rc or --format\\n$usage"

# Options anywhere, grouped, attached or separate; -- ends them.
for args in '-k 1 hello lines.txt' '-k1 hello lines.txt' 'hello lines.txt -k 1' \
    'hello -k1 lines.txt'; do
    # shellcheck disable=SC2086 # split on purpose
    hg $args
    expect "plain: $args" 0 "$lines_hello_k1" ''
done
for args in '-o -k 1' '-ok1' '-ok 1' '--only-matching -k1' '-k1 --format plain -o'; do
    # shellcheck disable=SC2086
    hg $args hello lines.txt
    expect "-o: $args" 0 'hello\nhallo\nyello\nhello\n' ''
done
hg -- -k lines.txt
expect 'pattern after --' 1 '' ''
hg -k 1 -- -ello lines.txt
expect 'pattern starting with - after --' 0 'hello world\nyellow hello\n' ''

# Every engine name is accepted, or refused with one of the two documented
# messages; the output never depends on the engine.
unavailable=0
for e in auto naive fft abrahamson packed hashed kangaroo kbounded bitparallel sampling 3sum; do
    hg --engine="$e" -k 1 hello lines.txt
    if [ "$st" = 0 ] && [ ! -s "$tmp/err" ]; then
        expect "--engine=$e" 0 "$lines_hello_k1" ''
    elif [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "hamgrep: engine '$e' is not available in this build" ]; then
        unavailable=$((unavailable + 1))
        expect "--engine=$e (not available)" 2 '' "hamgrep: engine '$e' is not available in this build\\n"
    else
        expect "--engine=$e (cannot serve)" 2 '' "hamgrep: engine '$e': engine does not support this request\\n"
    fi
done
[ "$unavailable" -gt 0 ] || echo "note: every engine is available: 'not available' not exercised"
hg --engine=naive --distances AGG one.fa
expect '--engine=naive --distances' 0 '0\t1\n1\t2\n2\t3\n3\t3\n4\t1\n' ''

# ---- Text lines ----------------------------------------------------------------

hg hullo lines.txt
expect 'no hit: exit 1' 1 '' ''
hg --format=tsv -k 1 hello lines.txt
expect 'tsv, lines' 0 "$tsv_head"'lines.txt\t1\t0\t5\t+\t0\thello\nlines.txt\t2\t4\t9\t+\t1\thallo\nlines.txt\t5\t0\t5\t+\t1\tyello\nlines.txt\t5\t7\t12\t+\t0\thello\n' ''
hg --format=tsv hullo lines.txt
expect 'tsv, no hit: header only' 1 "$tsv_head" ''
hg -o -k 1 --format=tsv hello lines.txt
expect 'tsv ignores -o' 0 "$tsv_head"'lines.txt\t1\t0\t5\t+\t0\thello\nlines.txt\t2\t4\t9\t+\t1\thallo\nlines.txt\t5\t0\t5\t+\t1\tyello\nlines.txt\t5\t7\t12\t+\t0\thello\n' ''

hg -k 1 hello <lines.txt
expect 'stdin, no FILE' 0 "$lines_hello_k1" ''
hg -k 1 hello - <lines.txt
expect 'stdin as -' 0 "$lines_hello_k1" ''
hg -k 1 hello lines.txt - <lines.txt
expect 'two files: name prefix, stdin is -' 0 'lines.txt:hello world\nlines.txt:say hallo\nlines.txt:yellow hello\n-:hello world\n-:say hallo\n-:yellow hello\n' ''
hg -o hello - lines.txt <lines.txt
expect '-o, two files' 0 '-:hello\n-:hello\nlines.txt:hello\nlines.txt:hello\n' ''
hg --format=tsv hello - <lines.txt
expect 'tsv, stdin is -' 0 "$tsv_head"'-\t1\t0\t5\t+\t0\thello\n-\t5\t7\t12\t+\t0\thello\n' ''

printf 'AAAA\n' >aaaa.txt
hg --format=tsv AA aaaa.txt
expect 'overlapping hits all reported' 0 "$tsv_head"'aaaa.txt\t1\t0\t2\t+\t0\tAA\naaaa.txt\t1\t1\t3\t+\t0\tAA\naaaa.txt\t1\t2\t4\t+\t0\tAA\n' ''
hg -o -k 2 AB aaaa.txt
expect '-k >= m: every window' 0 'AA\nAA\nAA\n' ''

printf 'xx\nhello' >nonl.txt
hg hello nonl.txt
expect 'last line without newline' 0 'hello\n' ''
: >empty.txt
hg A empty.txt
expect 'empty file' 1 '' ''
printf '\n\r\n\nhello\n' >blank.txt
hg --format=tsv hello blank.txt
expect 'leading blank lines count as lines' 0 "$tsv_head"'blank.txt\t4\t0\t5\t+\t0\thello\n' ''
printf 'abc\r\nxyz\r\n\r\r\n' >crlf.txt
hg bc crlf.txt
expect 'CRLF line printed as is' 0 'abc\r\n' ''
hg -o "$(printf 'c\r')" crlf.txt
expect 'trailing CR is not part of the line' 1 '' ''
hg --format=tsv "$(printf '\r')" crlf.txt
expect 'a CR before the trailing one is' 0 "$tsv_head"'crlf.txt\t3\t0\t1\t+\t0\t\\r\n' ''
printf 'a\tb\\c\001\n' >esc.txt
hg --format=tsv "$(printf 'a\tb\\c\001')" esc.txt
expect 'tsv escapes' 0 "$tsv_head"'esc.txt\t1\t0\t6\t+\t0\ta\\tb\\\\c\\x01\n' ''

# A line longer than any buffer: 3000005 bytes, hit at its very end.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "ACGTACGTAA"; print "TTTTT" }' >long.txt
hg --format=tsv AATTTTT long.txt
expect 'long line' 0 "$tsv_head"'long.txt\t1\t2999998\t3000005\t+\t0\tAATTTTT\n' ''
hg -k 1 AATTTTT long.txt
if [ "$st" = 0 ] && [ ! -s "$tmp/err" ] && cmp -s long.txt "$tmp/out"; then ok; else bad 'long line, plain' "status $st or output"; fi

# ---- FASTA -----------------------------------------------------------------------

hg ACGTTT tiny.fa
expect 'FASTA record printed as in the file' 0 '>r1 first record\nACGTACGTAC\nGTTTACGGAC\n' ''
hg --format=tsv ACGTTT tiny.fa
expect 'FASTA hit across a line wrap' 0 "$tsv_head"'tiny.fa\tr1\t8\t14\t+\t0\tACGTTT\n' ''
hg --format=tsv TTAC tiny.fa
expect 'FASTA positions per record' 0 "$tsv_head"'tiny.fa\tr1\t12\t16\t+\t0\tTTAC\ntiny.fa\tr3\t2\t6\t+\t0\tTTAC\n' ''
hg -o GGCC tiny.fa
expect 'FASTA -o' 0 'GGCC\n' ''
hg GACTTT tiny.fa
expect 'no hit across two records (r1|r2)' 1 '' ''
hg CCGAT tiny.fa
expect 'no hit across two records (r2|r3)' 1 '' ''
hg first tiny.fa
expect 'headers are not searched' 1 '' ''
hg --format=tsv GTTT crlf.fa
expect 'CRLF FASTA: hit across the break' 0 "$tsv_head"'crlf.fa\tc1\t2\t6\t+\t0\tGTTT\n' ''
hg TTGA crlf.fa
expect 'CRLF FASTA record printed as is' 0 '>c1\r\nACGT\r\nTTGA\r\n' ''
printf '\n\n>r x\nAC\n' >blank.fa
hg --format=tsv C blank.fa
expect 'FASTA after blank lines' 0 "$tsv_head"'blank.fa\tr\t1\t2\t+\t0\tC\n' ''

# ---- FASTQ -------------------------------------------------------------------------

hg --format=tsv -k 1 ACGTTT tiny.fq
expect 'FASTQ tsv' 0 "$tsv_head"'tiny.fq\tq1\t0\t6\t+\t0\tACGTTT\ntiny.fq\tq3\t2\t8\t+\t1\tACGTAT\n' ''
hg CCCC tiny.fq
expect 'FASTQ record printed whole' 0 '@q2\nGGGGCCCC\n+q2\n@@@@IIII\n' ''
hg IIII tiny.fq
expect 'FASTQ quality not searched' 1 '' ''
hg @@@@ tiny.fq
expect 'FASTQ quality starting with @ is quality' 1 '' ''
printf '@a\nACGT\nIIII\n' >noplus.fq
hg --format=tsv CGT noplus.fq
expect 'FASTQ without + line: hits before, error, exit 2' 2 "$tsv_head"'noplus.fq\ta\t1\t4\t+\t0\tCGT\n' \
    "hamgrep: noplus.fq: line 3: expected a '+' line after the FASTQ sequence line\\n"
printf '@a\nACGT\n+\n' >trunc.fq
hg -o CGT trunc.fq
expect 'truncated FASTQ' 2 'CGT\n' 'hamgrep: trunc.fq: line 4: truncated FASTQ record\n'

# ---- --whole ---------------------------------------------------------------------

hg --whole -k 1 'd say' lines.txt
expect '--whole: lines a window touches' 0 'hello world\nsay hallo\n' ''
hg --whole --format=tsv -k 1 'd say' lines.txt
expect '--whole tsv' 0 "$tsv_head"'lines.txt\t-\t10\t15\t+\t1\td\\nsay\n' ''
hg --whole -o "$(printf 'd\nsay')" lines.txt
expect '--whole -o, hit spanning a newline' 0 'd\nsay\n' ''
hg --whole bc crlf.txt
expect '--whole: CR is an ordinary byte' 0 'abc\r\n' ''

# ---- --distances -----------------------------------------------------------------
# one.fa holds ACGTACG; AGG against ACG GTA CGT TAC ACG... worked out by hand.

hg --distances AGG one.fa
expect '--distances' 0 '0\t1\n1\t2\n2\t3\n3\t3\n4\t1\n' ''
hg --distances -k 1 AGG one.fa
expect '--distances -k 1' 0 '0\t1\n1\t2\n2\t2\n3\t2\n4\t1\n' ''
hg --distances -k 0 AGG one.fa
expect '--distances -k 0' 0 '0\t1\n1\t1\n2\t1\n3\t1\n4\t1\n' ''
hg --distances AGG one.fa one.fa
expect '--distances, two files' 0 'one.fa\t0\t1\none.fa\t1\t2\none.fa\t2\t3\none.fa\t3\t3\none.fa\t4\t1\none.fa\t0\t1\none.fa\t1\t2\none.fa\t2\t3\none.fa\t3\t3\none.fa\t4\t1\n' ''
printf 'ACGTACG\n\n' >one.txt
hg --distances AGG one.txt
expect '--distances, one text line (blank lines ignored)' 0 '0\t1\n1\t2\n2\t3\n3\t3\n4\t1\n' ''
printf 'ab\nab' >ab.txt
hg --whole --distances "$(printf 'b\na')" <ab.txt
expect '--whole --distances, stdin' 0 '0\t3\n1\t0\n2\t3\n' ''
hg --distances ACGTACGT one.fa
expect '--distances, pattern longer than the text' 1 '' ''
hg --distances AGG tiny.fa
if [ "$st" = 2 ] && [ "$(wc -l <"$tmp/out")" -eq 18 ] &&
    [ "$(cat "$tmp/err")" = 'hamgrep: tiny.fa: --distances needs an input holding one sequence, and this one holds more (use --whole to read a file as one sequence)' ]; then
    ok
else
    bad '--distances on several records' "status $st or output"
fi

# ---- Errors ------------------------------------------------------------------------

hg -k 1 hello nonexist lines.txt
expect 'missing file: others searched, exit 2' 2 'lines.txt:hello world\nlines.txt:say hallo\nlines.txt:yellow hello\n' \
    'hamgrep: nonexist: No such file or directory\n'
hg hello .
expect 'directory' 2 '' 'hamgrep: .: Is a directory\n'

if [ -w /dev/full ]; then
    for args in '-k 1 hello lines.txt' '-o hello lines.txt' '--format=tsv hullo lines.txt' \
        '--distances AGG one.fa' '--help' '-V' '-k 1 AATTTTT long.txt'; do
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

#!/bin/sh
# SPDX-License-Identifier: MIT
# The bad-input catalogue of issue 9 (doc/reliability.md lists it): each
# malformed input, argument or environment gets its exact exit status and
# message, and stdout holds only what was complete before the problem.
# Run by make check; see tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

usage='Usage: hamgrep [OPTION]... PATTERN [FILE]...\n'
usage=$usage"Try 'hamgrep --help' for more information.\\n"
tsv='#file\tseq\tstart\tend\tstrand\tdist\tmatch\n'

# ---- Patterns --------------------------------------------------------------------

hg '' tiny.fa
expect 'empty pattern' 2 '' "hamgrep: empty PATTERN\\n$usage"
printf '\n\n' >blank.txt
hg -f blank.txt tiny.fa
expect 'pattern file with only blank lines: no pattern, no hit' 1 '' ''
printf '>p\n' >nopat.fa
hg -f nopat.fa tiny.fa
expect 'pattern FASTA record without sequence' 2 '' 'hamgrep: nopat.fa: empty pattern\n'
hg --format=tsv ACGTTTGCAACCGGTTAACCGGTTAACC tiny.fa
expect 'pattern longer than every record: no window, not an error' 1 "$tsv" ''
hg -c ACGTACGTACGTACGTACGTACGT lines.txt
expect 'pattern longer than every line' 1 '0\n' ''

# ---- Bytes: NUL, invalid UTF-8, CRLF ------------------------------------------------

printf 'AC\000GT\nACGT\n' >nul.txt
hg ACGT nul.txt
expect 'NUL byte: binary file matches' 0 '' 'hamgrep: nul.txt: binary file matches\n'
hg -a -b -o ACGT nul.txt
expect 'NUL byte with -a: searched as text, NUL is a symbol' 0 '6:ACGT\n' ''
hg -a -k 1 -o -b 'AC\000T' nul.txt
expect 'NUL in a pattern... is two bytes here (no escapes): no hit' 1 '' ''
printf 'C\000G\n' >nulpat.txt
hg -a -f nulpat.txt -o -b nul.txt
expect 'NUL byte in a pattern from -f' 0 '1:C\000G\n' ''
printf '\377\376AC\303\050GT\n\303\251t\303\251\n' >utf.txt
hg -o -b "$(printf '\303\050G')" utf.txt
expect 'invalid UTF-8: bytes are bytes' 0 '4:\303\050G\n' ''
hg -c -k 1 "$(printf '\377\377')" utf.txt
expect 'invalid UTF-8: one byte of 0xff 0xfe mismatches' 0 '1\n' ''
hg -o -b "$(printf '\303\251t')" utf.txt
expect 'valid UTF-8: matched as its bytes' 0 '9:\303\251t\n' ''
printf '>r1\r\nACGT\r\nAC\r\n>r2\r\nGTAC\r\n' >crlf2.fa
hg --format=tsv GTAC crlf2.fa
expect 'CRLF FASTA: CR is not a symbol, windows span lines' 0 \
    "$tsv"'crlf2.fa\tr1\t2\t6\t+\t0\tGTAC\ncrlf2.fa\tr2\t0\t4\t+\t0\tGTAC\n' ''
printf 'hello\r\nworld\r\n' >crlf.txt
hg -c 'o\r' crlf.txt
expect 'CRLF text: the CR before LF is not part of a line' 1 '0\n' ''
printf '@q1\r\nACGT\r\n+\r\nIIII\r\n' >crlf.fq
hg --format=tsv CGT crlf.fq
expect 'CRLF FASTQ' 0 "$tsv"'crlf.fq\tq1\t1\t4\t+\t0\tCGT\n' ''

# ---- FASTA and FASTQ structure -----------------------------------------------------

printf '>e1\n>e2\nACGT\n>e3\n>\nACGT\n' >empty.fa
hg --format=tsv ACGT empty.fa
expect 'FASTA with empty records and an empty name' 0 \
    "$tsv"'empty.fa\te2\t0\t4\t+\t0\tACGT\nempty.fa\t\t0\t4\t+\t0\tACGT\n' ''
printf 'ACGT\nTTTT\n' >nohdr.fa
hg -c ACGT nohdr.fa
expect 'FASTA without a header: read as text lines' 0 '1\n' ''
hg --fasta -c ACGT nohdr.fa
expect 'FASTA without a header, --fasta: nothing silently lost' 2 '0\n' \
    "hamgrep: nohdr.fa: line 1: text before the first FASTA header ('>') ignored\\n"
printf '\n\n>a\nACGT\n' >blanks.fa
hg --fasta -c ACGT blanks.fa
expect '--fasta: blank lines before the first header are fine' 0 '1\n' ''
printf '>only header' >hdr.fa
hg -c ACGT hdr.fa
expect 'FASTA: a header without newline or sequence' 1 '0\n' ''
printf '@q1\nACGT\n' >trunc.fq
hg -c ACGT trunc.fq
expect 'FASTQ truncated after the sequence: counted, then the message' 2 '1\n' 'hamgrep: trunc.fq: line 3: truncated FASTQ record\n'
printf '@q1\nACGT\n-\nIIII\n' >noplus.fq
hg -c ACGT noplus.fq
expect "FASTQ without its '+' line: counted so far, then the message" 2 '1\n' \
    "hamgrep: noplus.fq: line 3: expected a '+' line after the FASTQ sequence line\\n"
printf '@q1\nACGT\n+\nIIII\nACGT\n' >junk.fq
hg --format=tsv ACGT junk.fq
expect "FASTQ: a record not starting with '@', after a good one" 2 \
    "$tsv"'junk.fq\tq1\t0\t4\t+\t0\tACGT\n' \
    "hamgrep: junk.fq: line 5: expected '@' at the start of a FASTQ record\\n"

# ---- gzip ---------------------------------------------------------------------------

if command -v gzip >/dev/null 2>&1; then
    gzip -c tiny.fa >t.gz
    size=$(wc -c <t.gz)
    head -c $((size - 4)) t.gz >cut.gz
    hg -c ACGT cut.gz
    expect 'truncated gzip (trailer cut): the count so far, then the message' 2 '1\n' 'hamgrep: cut.gz: unexpected end of file\n'
    head -c 2 t.gz >magic.gz
    hg -c ACGT magic.gz
    expect 'gzip: the magic bytes only' 2 '0\n' 'hamgrep: magic.gz: unexpected end of file\n'
    # a stored block whose length and complement disagree
    { head -c 10 t.gz; printf '\001\005\000\005\000ACGTA'; } >bad.gz
    hg -c ACGT bad.gz
    expect 'gzip: corrupt deflate data' 2 '0\n' 'hamgrep: bad.gz: invalid compressed data\n'
    : >empty.txt
    hg -c ACGT empty.txt
    expect 'empty file' 1 '0\n' ''
else
    echo "note: no gzip: gzip cases skipped"
fi

# ---- Files ------------------------------------------------------------------------

hg ACGT vanished.fa
expect 'missing file' 2 '' 'hamgrep: vanished.fa: No such file or directory\n'
hg -c ACGT tiny.fa vanished.fa lines.txt
expect 'missing file among others: the others searched' 2 'tiny.fa:1\nlines.txt:0\n' \
    'hamgrep: vanished.fa: No such file or directory\n'
hg ACGT tiny.fa/x
expect 'a path through a file' 2 '' 'hamgrep: tiny.fa/x: Not a directory\n'
printf '>r\nACGT\n' >locked.fa
chmod 000 locked.fa
if [ "$(id -u)" != 0 ] && ! cat locked.fa >/dev/null 2>&1; then
    hg ACGT locked.fa
    expect 'unreadable file' 2 '' 'hamgrep: locked.fa: Permission denied\n'
else
    echo "note: running as root: permissions not enforced, unreadable file via /proc"
fi
chmod 644 locked.fa
# A file that opens but cannot be read: hamgrep's own address 0 (EIO), which
# even root cannot read.
if [ -r /proc/self/mem ]; then
    hg ACGT /proc/self/mem
    expect 'a read error after open' 2 '' 'hamgrep: /proc/self/mem: Input/output error\n'
fi
mkdir -p dir/sub
cp tiny.fa dir/sub/
hg ACGT dir
expect 'directory without -r' 2 '' 'hamgrep: dir: Is a directory\n'
hg -c ACGT dir tiny.fa
expect 'directory without -r among files' 2 'tiny.fa:1\n' 'hamgrep: dir: Is a directory\n'
hg -c -r ACGT dir
expect 'directory with -r' 0 'dir/sub/tiny.fa:1\n' ''
# a FIFO named on the command line is read like a pipe
if mkfifo fifo 2>/dev/null; then
    { cat tiny.fa >fifo & } 2>/dev/null
    hg -c ACGT fifo
    expect 'FIFO operand' 0 '1\n' ''
    wait
fi

# ---- Numbers --------------------------------------------------------------------------

for v in -1 abc '' 1.5 0x10 ' 1' 4294967295 99999999999999999999; do
    hg -k "$v" ACGT tiny.fa
    expect "-k '$v'" 2 '' "hamgrep: invalid distance '$v' for -k: expected an integer from 0 to 4294967294\\n$usage"
done
hg -k
expect '-k without a value' 2 '' "hamgrep: option '-k' needs an argument\\n$usage"
hg -c -k 4294967294 ACGT tiny.fa
expect '-k at its maximum: every window' 0 '3\n' ''
hg -c -k 3 ACGT tiny.fa
expect '-k = m - 1' 0 '3\n' ''
hg -c -k 4 ACGT tiny.fa
expect '-k = m: every window' 0 '3\n' ''
for v in 0 -0.1 1 1.5 nan inf abc '' 1e-400x; do
    hg -c --approx="$v" ACGT tiny.fa
    case $v in
    0) expect "--approx=$v: exact" 0 '1\n' '' ;;
    *) expect "--approx='$v'" 2 '' "hamgrep: invalid value '$v' for --approx: expected a number from 0 to below 1\\n$usage" ;;
    esac
done
for v in 0 -1 1 2 nan abc ''; do
    hg --approx=0.5 --delta="$v" ACGT tiny.fa
    expect "--delta='$v'" 2 '' "hamgrep: invalid value '$v' for --delta: expected a number above 0 and below 1\\n$usage"
done
for v in -1 1025 x; do
    hg -j "$v" ACGT tiny.fa
    expect "-j '$v'" 2 '' "hamgrep: invalid thread count '$v' for -j: expected an integer from 0 to 1024\\n$usage"
done
hg --seed=-1 ACGT tiny.fa
expect '--seed negative' 2 '' "hamgrep: invalid seed '-1': expected an integer from 0 to 18446744073709551615\\n$usage"

# ---- Engines -----------------------------------------------------------------------------

hg --engine=foo ACGT tiny.fa
expect 'unknown engine' 2 '' "hamgrep: unknown engine 'foo'\\n$usage"
hg --engine=FFT ACGT tiny.fa
expect 'engine names are lower case' 2 '' "hamgrep: unknown engine 'FFT'\\n$usage"
hg --engine=sampling ACGT tiny.fa
expect 'approximate engine without --approx' 2 '' \
    "hamgrep: engine 'sampling': engine does not support this request\\n"
hg --engine=kangaroo -c ACGT tiny.fa
expect 'k-bounded engine without -k: exact k = 0' 0 '1\n' ''

# ---- Output: closed pipe, full disk ----------------------------------------------------

# 200000 matching lines: far more than a pipe and stdio buffer hold.
i=0
: >many.txt
while [ $i -lt 20 ]; do printf 'ACGT\n' >>many.txt; i=$((i + 1)); done
for j in 1 2 3 4; do cat many.txt many.txt many.txt many.txt many.txt many.txt many.txt many.txt many.txt many.txt >m2.txt && mv m2.txt many.txt; done
# shellcheck disable=SC2086
first=$($HAM_EXEC_PREFIX "$HAMGREP" ACGT many.txt 2>"$tmp/err" | head -n 1)
if [ "$first" = ACGT ] && [ ! -s "$tmp/err" ]; then ok; else bad 'closed pipe (SIGPIPE)' "got '$first', stderr: $(cat "$tmp/err")"; fi
# the same with SIGPIPE ignored: EPIPE, still no message
# shellcheck disable=SC2086
first=$(trap '' PIPE; $HAM_EXEC_PREFIX "$HAMGREP" ACGT many.txt 2>"$tmp/err" | head -n 1)
if [ "$first" = ACGT ] && [ ! -s "$tmp/err" ]; then ok; else bad 'closed pipe, SIGPIPE ignored (EPIPE)' "got '$first', stderr: $(cat "$tmp/err")"; fi
st=$(trap '' PIPE; { $HAM_EXEC_PREFIX "$HAMGREP" ACGT many.txt 2>/dev/null; echo $? >"$tmp/st"; } | head -n 1 >/dev/null; cat "$tmp/st")
if [ "$st" = 2 ]; then ok; else bad 'closed pipe, SIGPIPE ignored: status' "status $st"; fi
if [ -w /dev/full ]; then
    # shellcheck disable=SC2086
    $HAM_EXEC_PREFIX "$HAMGREP" ACGT many.txt >/dev/full 2>"$tmp/err"
    st=$?
    : >"$tmp/out"
    expect 'disk full' 2 '' 'hamgrep: write error: No space left on device\n'
    # shellcheck disable=SC2086
    $HAM_EXEC_PREFIX "$HAMGREP" -c ACGT many.txt tiny.fa vanished.fa >/dev/full 2>"$tmp/err"
    st=$?
    expect 'disk full, small output (seen at the final flush)' 2 '' \
        'hamgrep: vanished.fa: No such file or directory\nhamgrep: write error: No space left on device\n'
else
    echo "note: no /dev/full: disk full not exercised"
fi

# ---- Memory: allocation failure under ulimit -v --------------------------------------------
# A sanitizer build reserves terabytes of shadow memory and cannot run under
# a limit at all: then these cases are skipped (the library's ENOMEM paths
# are tested by tests/check_bad_input with a failing allocator).
if [ -z "$HAM_EXEC_PREFIX" ] && (ulimit -v 200000 && "$HAMGREP" --version) >/dev/null 2>&1; then
    # a 30 MB pattern (hamgrep holds it, its copy, and the plan's tables)
    awk 'BEGIN { s = "ACGT"; while (length(s) < 30000000) s = s s; print substr(s, 1, 30000000) }' >bigpat.txt
    (ulimit -v 60000 && exec "$HAMGREP" -f bigpat.txt tiny.fa) >"$tmp/out" 2>"$tmp/err"
    st=$?
    expect 'out of memory holding a pattern (ulimit -v)' 2 '' \
        'hamgrep: bigpat.txt: out of memory\n'
    (ulimit -v 20000 && exec "$HAMGREP" -f bigpat.txt tiny.fa) >"$tmp/out" 2>"$tmp/err"
    st=$?
    expect 'out of memory reading a pattern file (ulimit -v)' 2 '' \
        'hamgrep: bigpat.txt: Cannot allocate memory\n'
    (ulimit -v 150000 && exec "$HAMGREP" -f bigpat.txt tiny.fa) >"$tmp/out" 2>"$tmp/err"
    st=$?
    expect 'out of memory planning a long pattern (ulimit -v)' 2 '' \
        'hamgrep: preparing a pattern of length 30000000: out of memory\n'
else
    echo "note: cannot run under ulimit -v (sanitizer build?): memory cases skipped"
fi

finish

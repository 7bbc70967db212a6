#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep's sequence features: soft-masking, --rc, --iupac, forced formats,
# BED and JSON output, gzip input (multi-member, truncated, corrupt), records
# longer than a read block, -j output identical to -j 1 on multi-MB inputs,
# and hits compared with an independent awk reference on real DNA
# ($HAM_DATA_DIR; skipped when absent). Run by make check; see
# tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

tsv_head='#file\tseq\tstart\tend\tstrand\tdist\tmatch\n'

# ---- Case: soft-masked bases -----------------------------------------------------

printf '>s1 soft\nacgtGAATTCggat\nccAAAC\n>s2\nTTTTTTTT\n' >soft.fa
hg --format=tsv GGATCC soft.fa
expect 'soft-masked bases match upper case, across a wrap' 0 "$tsv_head"'soft.fa\ts1\t10\t16\t+\t0\tggatcc\n' ''
hg --format=tsv --case-sensitive GGATCC soft.fa
expect '--case-sensitive' 1 "$tsv_head" ''
hg --format=tsv --case-sensitive ggatcc soft.fa
expect '--case-sensitive, lower-case pattern' 0 "$tsv_head"'soft.fa\ts1\t10\t16\t+\t0\tggatcc\n' ''
hg --format=tsv ggatcc soft.fa
expect 'lower-case pattern matches too' 0 "$tsv_head"'soft.fa\ts1\t10\t16\t+\t0\tggatcc\n' ''

# ---- --rc ---------------------------------------------------------------------------
# soft.fa s1 is ACGTGAATTCGGATCCAAAC: GAATTC (4..10) and GGATCC (10..16) are
# palindromes; GTTTGG is the reverse complement of CCAAAC (14..20).

hg --format=tsv --rc GTTTGG soft.fa
expect '--rc: strand -, + coordinates, window as found' 0 "$tsv_head"'soft.fa\ts1\t14\t20\t-\t0\tccAAAC\n' ''
hg --format=tsv --rc GAATTC soft.fa
expect '--rc: a palindrome is reported on both strands' 0 "$tsv_head"'soft.fa\ts1\t4\t10\t+\t0\tGAATTC\nsoft.fa\ts1\t4\t10\t-\t0\tGAATTC\n' ''
hg --format=tsv --rc -k 1 AAAAAAAA soft.fa
expect '--rc -k 1: strands in order within a position' 0 "$tsv_head"'soft.fa\ts2\t0\t8\t-\t0\tTTTTTTTT\n' ''
hg --format=bed --rc -e GTTTGG -e acgtga soft.fa
expect '--rc bed, two patterns' 0 's1\t0\t6\tacgtga\t0\t+\ns1\t14\t20\tGTTTGG\t0\t-\n' ''
hg --rc -c GTTTGG soft.fa
expect '--rc plain: a record once' 0 '1\n' ''
hg --rc -o GTTTGG soft.fa
expect '--rc -o prints the window as found' 0 'ccAAAC\n' ''
hg --rc --format=tsv -k 1 AAACGT tiny.fq
expect '--rc on FASTQ' 0 "$tsv_head"'tiny.fq\tq1\t0\t6\t-\t0\tACGTTT\ntiny.fq\tq3\t2\t8\t-\t1\tACGTAT\n' ''
hg --rc --format=tsv GTTTGG lines.txt
expect '--rc on text lines: no hit' 1 "$tsv_head" ''

# ---- --iupac --------------------------------------------------------------------------

hg --iupac --format=tsv GAAYTC soft.fa
expect '--iupac: Y' 0 "$tsv_head"'soft.fa\ts1\t4\t10\t+\t0\tGAATTC\n' ''
hg --iupac -c NNNNNNNN soft.fa
expect '--iupac: N matches any base' 0 '2\n' ''
printf '>n\nACNNGTAUGT\n' >n.fa
hg --iupac --format=tsv -k 1 ACGTGT n.fa
expect '--iupac: N in the text is a mismatch' 1 "$tsv_head" ''
hg --iupac --format=tsv -k 2 ACGTGT n.fa
expect '--iupac: ... counted once per N' 0 "$tsv_head"'n.fa\tn\t0\t6\t+\t2\tACNNGT\n' ''
hg --iupac --format=tsv TAUG n.fa
expect '--iupac: U is T' 0 "$tsv_head"'n.fa\tn\t5\t9\t+\t0\tTAUG\n' ''
hg --iupac --format=tsv NN n.fa
expect '--iupac: pattern N matches text N' 0 "$tsv_head"'n.fa\tn\t0\t2\t+\t0\tAC\nn.fa\tn\t1\t3\t+\t0\tCN\nn.fa\tn\t2\t4\t+\t0\tNN\nn.fa\tn\t3\t5\t+\t0\tNG\nn.fa\tn\t4\t6\t+\t0\tGT\nn.fa\tn\t5\t7\t+\t0\tTA\nn.fa\tn\t6\t8\t+\t0\tAU\nn.fa\tn\t7\t9\t+\t0\tUG\nn.fa\tn\t8\t10\t+\t0\tGT\n' ''
hg --iupac --rc --format=tsv RAATTY soft.fa
expect '--iupac --rc: complemented sets' 0 "$tsv_head"'soft.fa\ts1\t4\t10\t+\t0\tGAATTC\nsoft.fa\ts1\t4\t10\t-\t0\tGAATTC\n' ''
hg --iupac GATXACA tiny.fa
expect '--iupac: not a code' 2 '' "hamgrep: pattern 'GATXACA': 'X' is not an IUPAC nucleotide code\\n"
# one.fa is ACGTACG. ARG: 1 2 3 2 1 (expansion: 2 patterns). RYKMS has 32
# expansions, so the 4-pass decomposition: ACGTA 2, CGTAC 2, GTACG 1.
hg --iupac --distances ARG one.fa
expect '--iupac --distances, expansion' 0 '0\t1\n1\t2\n2\t3\n3\t2\n4\t1\n' ''
hg --iupac --distances RYKMS one.fa
expect '--iupac --distances, decomposition' 0 '0\t2\n1\t2\n2\t1\n' ''
hg --iupac --distances -k 1 RYKMS one.fa
expect '--iupac --distances -k 1, decomposition' 0 '0\t2\n1\t2\n2\t1\n' ''
hg --iupac --format=tsv -k 1 RYKMS one.fa
expect '--iupac -k, decomposition' 0 "$tsv_head"'one.fa\tone\t2\t7\t+\t1\tGTACG\n' ''
hg --iupac --format=tsv -k 2 BDHVB one.fa
expect '--iupac -k, 3-base codes (81 expansions)' 0 "$tsv_head"'one.fa\tone\t1\t6\t+\t0\tCGTAC\none.fa\tone\t2\t7\t+\t0\tGTACG\n' ''

# ---- Forced formats ------------------------------------------------------------------

hg --text first tiny.fa
expect '--text: FASTA headers are lines' 0 '>r1 first record\n' ''
printf 'junk ACGT\n>a\nAC\nGT\n' >junk.fa
hg --fasta --format=tsv ACGT junk.fa
expect '--fasta: lines before the first record are skipped, with a message' 2 "$tsv_head"'junk.fa\ta\t0\t4\t+\t0\tACGT\n' "hamgrep: junk.fa: line 1: text before the first FASTA header ('>') ignored\\n"
hg --fastq ACGT tiny.fa
expect '--fastq on FASTA' 2 '' "hamgrep: tiny.fa: line 1: expected '@' at the start of a FASTQ record\\n"
hg --whole -c 'd\nsay' lines.txt
expect '--whole -c' 1 '0\n' ''
hg --format=tsv -k 1 ACGTACGTACGTTTACGGAC tiny.fa
expect 'pattern as long as a record, longer than the others' 0 "$tsv_head"'tiny.fa\tr1\t0\t20\t+\t0\tACGTACGTACGTTTACGGAC\n' ''
hg ACGTACGTACGTTTACGGACTTTTTTTTTT tiny.fa
expect 'pattern longer than every record' 1 '' ''

# ---- BED and JSON -------------------------------------------------------------------

hg --format=bed -k 1 hello lines.txt
expect 'bed, text lines' 0 '1\t0\t5\thello\t0\t+\n2\t4\t9\thello\t1\t+\n5\t0\t5\thello\t1\t+\n5\t7\t12\thello\t0\t+\n' ''
hg --format=bed --whole 'd\nsay' lines.txt
expect 'bed, --whole' 1 '' ''
hg --format=bed -f primers.fa tiny.fa
expect 'bed, named patterns' 0 'r1\t12\t16\ttt\t0\t+\nr2\t6\t10\tgc\t0\t+\nr3\t2\t6\ttt\t0\t+\n' ''
printf 'say "hi"\there\\\n' >q.txt
hg --format=json -k 1 "$(printf '"hi"\th')" q.txt
expect 'json: escapes, line number as a number' 0 '{"file":"q.txt","seq":1,"start":4,"end":10,"strand":"+","dist":0,"match":"\\"hi\\"\\th","pattern":"\\"hi\\"\\th"}\n' ''
hg --format=json --whole -k 1 'd say' lines.txt
expect 'json: --whole seq is null' 0 '{"file":"lines.txt","seq":null,"start":10,"end":15,"strand":"+","dist":1,"match":"d\\nsay","pattern":"d say"}\n' ''
hg --format=json --rc GTTTGG soft.fa
expect 'json: FASTA, strand -' 0 '{"file":"soft.fa","seq":"s1","start":14,"end":20,"strand":"-","dist":0,"match":"ccAAAC","pattern":"GTTTGG"}\n' ''
hg --format=json hullo lines.txt
expect 'json: no hit, no output' 1 '' ''

# ---- gzip ---------------------------------------------------------------------------

if command -v gzip >/dev/null 2>&1; then
    gzip -c tiny.fa >tiny.fa.gz
    hg --format=tsv ACGTTT tiny.fa.gz
    expect 'gzip file' 0 "$tsv_head"'tiny.fa.gz\tr1\t8\t14\t+\t0\tACGTTT\n' ''
    cp tiny.fa.gz tinygz.txt
    hg -c TTAC tinygz.txt
    expect 'gzip detected by content, not name' 0 '2\n' ''
    hg -o ACGTTT - <tiny.fa.gz
    expect 'gzip on stdin' 0 'ACGTTT\n' ''
    { gzip -c lines.txt; gzip -c lines.txt; } >two.gz
    hg -n -b -k 1 hello two.gz
    expect 'gzip: two members are one stream' 0 '1:0:hello world\n2:12:say hallo\n5:41:yellow hello\n6:54:hello world\n7:66:say hallo\n10:95:yellow hello\n' ''
    awk 'BEGIN { print ">r"; for (i = 0; i < 100000; i++) print "ACACACACACCACACACACAACACACCACACA"; print "GATTACAGATTACA" }' >long.fa
    gzip -c long.fa >long.fa.gz
    size=$(wc -c <long.fa.gz)
    head -c $((size / 2)) long.fa.gz >cut.fa.gz
    hg -c -k 1 CCACACACAACACACCACACAA cut.fa.gz tiny.fa
    if [ "$st" = 2 ] && [ "$(sed -n 2p "$tmp/out")" = 'tiny.fa:0' ] &&
        sed -n 1p "$tmp/out" | grep '^cut\.fa\.gz:1$' >/dev/null &&
        [ "$(cat "$tmp/err")" = 'hamgrep: cut.fa.gz: unexpected end of file' ]; then
        ok
    else
        bad 'truncated gzip: count so far, then the error, others searched' "status $st"
    fi
    "$HAMGREP" -j 1 --format=tsv -k 1 -e CCACACACAACACACCACACAA -e ACGTTT cut.fa.gz tiny.fa >"$tmp/j1" 2>&1
    "$HAMGREP" -j 3 --format=tsv -k 1 -e CCACACACAACACACCACACAA -e ACGTTT cut.fa.gz tiny.fa >"$tmp/jn" 2>&1
    if cmp -s "$tmp/j1" "$tmp/jn" && grep -n 'unexpected end' "$tmp/jn" | grep -v '^1:' >/dev/null; then
        ok
    else
        bad 'truncated gzip with -j 3: same output and message order as -j 1' 'differs'
    fi
    hg --format=tsv GATTACAGATTACA cut.fa.gz
    expect 'truncated gzip: the hit beyond the cut is not reported' 2 "$tsv_head" 'hamgrep: cut.fa.gz: unexpected end of file\n'
    hg --format=tsv GATTACAGATTACA long.fa.gz
    expect 'gzip, 3 MB' 0 "$tsv_head"'long.fa.gz\tr\t3200000\t3200014\t+\t0\tGATTACAGATTACA\n' ''
    head -c 20 tiny.fa.gz >head.gz
    hg ACGT head.gz
    expect 'gzip cut in its header' 2 '' 'hamgrep: head.gz: unexpected end of file\n'
    { cat tiny.fa.gz; printf 'trailing'; } >trail.gz
    hg -o ACGTTT trail.gz
    expect 'gzip followed by garbage' 2 'ACGTTT\n' 'hamgrep: trail.gz: trailing garbage after compressed data\n'
    cp long.fa.gz bad.gz
    printf 'XXXXXXXXXXXXXXXX' | dd of=bad.gz bs=1 seek=5000 conv=notrunc 2>/dev/null
    hg -c GATTACA bad.gz
    if [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = 'hamgrep: bad.gz: invalid compressed data' ]; then
        ok
    else
        bad 'corrupt gzip' "status $st: $(cat "$tmp/err")"
    fi
    hg --progress -c GATTACAGATTACA long.fa.gz
    if [ "$st" = 0 ] && grep 'long\.fa\.gz  100\.0%' "$tmp/err" >/dev/null; then ok; else bad '--progress, gzip' "status $st"; fi
else
    echo "note: no gzip: compressed input not exercised"
fi

# ---- Records longer than a read block (1 MiB) -----------------------------------------
# Background of A and C only; GATTACA motifs at symbols 1048000 + 61 i for
# i = 0 .. 20 straddle the first block boundary whatever the line length.

awk 'BEGIN {
    x = 7; n = 2100000; print ">big one"; line = ""
    for (i = 0; i < n; i++) {
        if (i >= 1048000 && i < 1048000 + 61 * 21 && (i - 1048000) % 61 == 0) {
            line = line "GATTACA"; i += 6
        } else {
            x = (x * 69069 + 1) % 4294967296
            line = line (x < 2147483648 ? "A" : "C")
        }
        if (length(line) >= 70) { print substr(line, 1, 70); line = substr(line, 71) }
    }
    if (line != "") print line
    print ">next"; print "GATTACA"
}' >big.fa
hg -c GATTACA big.fa
expect 'big record: counted once, next record too' 0 '2\n' ''
hg --format=tsv GATTACA big.fa
awk 'BEGIN { printf "#file\tseq\tstart\tend\tstrand\tdist\tmatch\n"
    for (i = 0; i < 21; i++) printf "big.fa\tbig\t%d\t%d\t+\t0\tGATTACA\n", 1048000 + 61 * i, 1048007 + 61 * i
    printf "big.fa\tnext\t0\t7\t+\t0\tGATTACA\n" }' >"$tmp/want"
if [ "$st" = 0 ] && cmp -s "$tmp/want" "$tmp/out"; then ok; else bad 'big record: hits across the block boundary' "status $st"; fi
hg GATTACA big.fa
if [ "$st" = 0 ] && cmp -s big.fa "$tmp/out"; then ok; else bad 'big record printed as in the file' "status $st"; fi
hg --color=always GATTACA big.fa
if [ "$st" = 0 ] && [ "$(sed 's/\x1b\[[0-9;]*m\x1b\[K//g' "$tmp/out" | cksum)" = "$(cksum <big.fa)" ] &&
    [ "$(grep -o '31m' "$tmp/out" | wc -l)" -ge 21 ]; then ok; else bad 'big record, --color' "status $st"; fi
hg -o -n -b GATTACA big.fa
first=$(sed -n 1p "$tmp/out")
# symbol 1048000 is on line 2 + 1048000/70 = 14973, column 1048000 % 70 = 30,
# at byte 9 + 14971 * 71 + 30
if [ "$st" = 0 ] && [ "$first" = "14973:$((9 + 14971 * 71 + 30)):GATTACA" ]; then ok; else bad 'big record, -o -n -b' "got $first"; fi
hg -o -k 1 ACCACACA big.fa
n1=$(wc -l <"$tmp/out")
if [ "$n1" -gt 1000 ]; then ok; else bad 'big record, many hits' "$n1"; fi

# ---- -j: the same output as one thread --------------------------------------------------

# 6 MB of FASTA: records of random lengths, 60-column lines, soft-masked runs.
multi_fasta 6000000 0 '' >multi.fa
set -- '--format=tsv -k 2 ACGTACGTAC' '--rc --format=json -k 1 -e ACGTACGTAC -e GGGCCC -e TTTTAAAATTTT' \
    '-o -n -b --rc -k 1 ACGTTTACG' '-k 1 TTTTACGTA' '--color=always -n -k 1 TTTTACGTA' '-c -k 2 ACGTACGT' \
    '--iupac --format=bed -k 1 ACRYGTNNSW' '--whole -k 1 --format=tsv GATTACAG'
for args in "$@"; do
    # shellcheck disable=SC2086
    "$HAMGREP" -j 1 $args multi.fa >"$tmp/j1" 2>&1
    s1=$?
    for j in 2 3; do
        # shellcheck disable=SC2086
        "$HAMGREP" -j $j $args multi.fa multi.fa >"$tmp/jn" 2>&1
        sn=$?
        # shellcheck disable=SC2086
        "$HAMGREP" -j 1 $args multi.fa multi.fa >"$tmp/j1b" 2>&1
        if [ "$s1" = "$sn" ] && [ -s "$tmp/j1" ] && cmp -s "$tmp/j1b" "$tmp/jn"; then ok; else bad "-j $j: $args" "differs from -j 1"; fi
    done
done
if [ -n "${HAM_DATA_DIR:-}" ] && [ -r "$HAM_DATA_DIR/dna/ecoli_k12_mg1655.fa.gz" ]; then
    for args in '--format=tsv --rc -k 2 GGGCGGCGACCT' '-c -k 3 TTGACAATTAATCATCGGC'; do
        # shellcheck disable=SC2086
        "$HAMGREP" -j 1 $args "$HAM_DATA_DIR/dna/ecoli_k12_mg1655.fa.gz" >"$tmp/j1" 2>&1
        # shellcheck disable=SC2086
        "$HAMGREP" -j 2 $args "$HAM_DATA_DIR/dna/ecoli_k12_mg1655.fa.gz" >"$tmp/jn" 2>&1
        if cmp -s "$tmp/j1" "$tmp/jn"; then ok; else bad "-j 2 on E. coli: $args" 'differs'; fi
    done
else
    echo "note: no HAM_DATA_DIR: -j on real data skipped"
fi

# ---- Hits against an independent reference on real DNA ----------------------------------
# awk computes every window within K of the pattern and of its reverse
# complement on the first 30 kb of phage lambda (O(nm), sharing nothing with
# hamgrep or the library).

lambda=${HAM_DATA_DIR:-/nonexistent}/dna/phage_lambda.fa.gz
if [ -r "$lambda" ] && command -v gzip >/dev/null 2>&1; then
    gzip -dc "$lambda" | awk 'NR == 1 { print; next } { n += length($0); print } n >= 30000 { exit }' >lambda.fa
    for pk in 'GGGCGGCGACCT 3' 'AACGTT 1' 'TTGACAGCTAGCTCAGTCCT 5'; do
        set -- $pk
        "$HAMGREP" --rc --format=tsv -k "$2" "$1" lambda.fa >"$tmp/out" 2>"$tmp/err"
        st=$?
        awk -v P="$1" -v K="$2" '
            function rc(s,  i, r, c) { r = ""
                for (i = length(s); i >= 1; i--) { c = substr(s, i, 1)
                    r = r (c == "A" ? "T" : c == "C" ? "G" : c == "G" ? "C" : c == "T" ? "A" : c) }
                return r }
            NR == 1 { name = substr($1, 2); next }
            { seq = seq $0 }
            END {
                print "#file\tseq\tstart\tend\tstrand\tdist\tmatch"
                S = toupper(seq); m = length(P); R = rc(P)
                for (i = 1; i + m - 1 <= length(S); i++) {
                    w = substr(S, i, m)
                    for (s = 0; s < 2; s++) {
                        Q = s ? R : P; d = 0
                        if (s && R == P) Q = P
                        for (j = 1; j <= m && d <= K; j++) if (substr(w, j, 1) != substr(Q, j, 1)) d++
                        if (d <= K) printf "lambda.fa\t%s\t%d\t%d\t%s\t%d\t%s\n", name, i - 1, i - 1 + m, s ? "-" : "+", d, substr(seq, i, m)
                    }
                }
            }' lambda.fa >"$tmp/want"
        if [ "$st" -le 1 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want" "$tmp/out"; then
            ok
        else
            bad "reference on phage lambda: $1 -k $2" "status $st"
            diff "$tmp/want" "$tmp/out" | head -5
        fi
    done
else
    echo "note: no phage lambda in HAM_DATA_DIR: reference comparison skipped"
fi

finish

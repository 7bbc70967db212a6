#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep-mpi writes what hamgrep writes: stdout, stderr and exit status
# compared byte for byte with hamgrep (and hamgrep -j 2) under
# "mpirun -np 2 --oversubscribe" (and -np 3 for some), on random inputs
# whose hits straddle the 1 MiB batch boundaries, many records and files
# (empty, binary, missing), text lines, --distances, gzip, standard input,
# -c -l -L -q -o -n -b and every --format; and on real data ($HAM_DATA_DIR,
# skipped when absent). Skipped (77) when hamgrep-mpi was not built
# (configure --with-mpi) or mpirun is missing. See tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

HAMGREP_MPI=${HAMGREP_MPI:-$builddir/cli/hamgrep-mpi}
case $HAMGREP_MPI in
/*) ;;
*) HAMGREP_MPI=$builddir/$HAMGREP_MPI ;;
esac
if [ ! -x "$HAMGREP_MPI" ]; then
    echo "$test_name: no hamgrep-mpi (configure --with-mpi): skipped"
    exit 77
fi
MPIRUN=${MPIRUN:-$(command -v mpirun 2>/dev/null)}
if [ -z "$MPIRUN" ] || [ ! -x "$MPIRUN" ]; then
    echo "$test_name: no mpirun: skipped"
    exit 77
fi
# Open MPI refuses to run as root unless told; CI runs as root.
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
# -q: no banner from mpirun when hamgrep exits 1 or 2; no fork()
# warnings, no interface probing noise on stderr.
# A hung run (a protocol bug) fails after 10 minutes instead of blocking make.
NP=2
tmo=
if command -v timeout >/dev/null 2>&1; then tmo='timeout -k 10 600'; fi
mpi()
{
    # shellcheck disable=SC2086 # the prefix is a command line, split on purpose
    $tmo "$MPIRUN" -q -np $NP --oversubscribe $HAM_EXEC_PREFIX "$HAMGREP_MPI" "$@"
}

if ! mpi -V >"$tmp/v" 2>&1 || ! grep -q '^hamgrep ' "$tmp/v"; then
    echo "$test_name: mpirun cannot start hamgrep-mpi:"
    sed 's/^/  /' "$tmp/v"
    exit 99
fi

# same NAME ARGS...: hamgrep ARGS (one thread) is the reference; hamgrep -j 2
# and hamgrep-mpi on $NP ranks must write the same bytes and exit the same.
same()
{
    name=$1
    shift
    # shellcheck disable=SC2086
    $HAM_EXEC_PREFIX "$HAMGREP" "$@" >"$tmp/r_out" 2>"$tmp/r_err" <"$tmp/stdin"
    rs=$?
    # shellcheck disable=SC2086
    $HAM_EXEC_PREFIX "$HAMGREP" -j 2 "$@" >"$tmp/j_out" 2>"$tmp/j_err" <"$tmp/stdin"
    js=$?
    mpi "$@" >"$tmp/m_out" 2>"$tmp/m_err" <"$tmp/stdin"
    ms=$?
    if [ "$rs" -gt 2 ]; then
        bad "$name" "hamgrep itself exited $rs"
    elif [ "$rs" != "$js" ] || ! cmp -s "$tmp/r_out" "$tmp/j_out" ||
        ! cmp -s "$tmp/r_err" "$tmp/j_err"; then
        bad "$name" "hamgrep -j 2 differs from hamgrep"
    elif [ "$rs" = "$ms" ] && cmp -s "$tmp/r_out" "$tmp/m_out" &&
        cmp -s "$tmp/r_err" "$tmp/m_err"; then
        ok
        return 0
    else
        bad "$name" "hamgrep-mpi -np $NP: exit $ms, hamgrep $rs"
        cmp "$tmp/r_out" "$tmp/m_out" | sed 's/^/  stdout: /'
        diff "$tmp/r_err" "$tmp/m_err" | head -n 6 | sed 's/^/  stderr: /'
    fi
    return 1
}
: >"$tmp/stdin"

# ---- Random inputs --------------------------------------------------------------------

# One record of 3.3 Mbp in 70-column lines: A/C background, GATTACA planted
# every 61 symbols within 4000 symbols of where the 1, 2 and 3 MiB read
# blocks end (raw byte B is about symbol (B - 9) * 70 / 71), so windows
# straddle every batch boundary at every offset.
awk 'BEGIN {
    x = 7; n = 3300000; print ">big one"; line = ""
    for (b = 1; b <= 3; b++) c[b] = int((b * 1048576 - 9) * 70 / 71)
    for (i = 0; i < n; i++) {
        near = 0
        for (b = 1; b <= 3; b++) if (i > c[b] - 4000 && i < c[b] + 4000) near = 1
        if (near && i % 61 == 0) {
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
same 'big record: tsv' --format=tsv GATTACA big.fa
same 'big record: -k 1 -c' -k 1 -c GATTACA big.fa
same 'big record: -o -n -b' -o -n -b GATTACA big.fa
same 'big record: plain, --color' --color=always -k 1 GATTACAG big.fa
same 'big record: --color=auto (mpirun gives rank 0 a terminal)' --color=auto -k 1 GATTACAG big.fa
same 'big record: bed, --rc, two patterns' --format=bed --rc -k 1 -e GATTACA -e TGTAATCAAA big.fa
same 'big record: long pattern (m - 1 overlap of 2999)' -k 2990 -c \
    "$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%s", i % 61 ? "A" : "GATTACA" }')" big.fa
same 'big record: --distances' --distances GATTACAGATTACA big.fa

# 5 MB of FASTA: records of random lengths (a few symbols to 400 kbp, so
# some records start or end right at a batch boundary), soft-masked runs.
multi_fasta 5000000 1 ' some words' >multi.fa
same 'multi: tsv -k 2' --format=tsv -k 2 ACGTACGTAC multi.fa
same 'multi: json --rc, three patterns' --rc --format=json -k 1 -e ACGTACGTAC -e GGGCCC -e TTTTAAAATTTT multi.fa
same 'multi: -o -n -b --rc' -o -n -b --rc -k 1 ACGTTTACG multi.fa
same 'multi: plain records' -k 1 TTTTACGTA multi.fa
same 'multi: -c' -c -k 2 ACGTACGT multi.fa
same 'multi: --iupac bed' --iupac --format=bed -k 1 ACRYGTNNSW multi.fa
same 'multi: --whole tsv' --whole -k 1 --format=tsv GATTACAG multi.fa
same 'multi: no hit (exit 1)' -c GGGGGGGGGGGGGGGGGGGGGGGGGGGGGG multi.fa
same 'multi: --distances' --distances ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT multi.fa
gzip -c multi.fa >multi.fa.gz
gzip -c big.fa >>multi.fa.gz
same 'gzip, two members' --format=tsv -k 1 GATTACAGA multi.fa.gz

# Many files: empty ones, one-record ones, a binary one, a missing one, a
# directory; a file list is split file by file.
mkdir many
i=0
while [ $i -lt 24 ]; do
    awk -v s=$i 'BEGIN { x = s * 7919 + 1; n = (s % 5) * 40000 + s * 13
        print ">f" s; for (j = 0; j < n; j++) { x = (x * 69069 + 1) % 4294967296
            printf "%s", substr("ACGT", 1 + int(x / 1073741824), 1); if (j % 80 == 79) print "" }
        print "" }' >many/f$i.fa
    i=$((i + 1))
done
: >many/empty1.fa
: >many/empty2.txt
printf 'ACGT\000ACGTACGT\n' >many/bin.dat
set -- many/f0.fa many/empty1.fa many/f1.fa many/f2.fa many/bin.dat many/f3.fa \
    many/empty2.txt many/f4.fa many/f5.fa many/f6.fa many/f7.fa many/f8.fa many/f9.fa \
    many/f10.fa many/f11.fa many/f12.fa many/f13.fa many/missing.fa many/f14.fa many/f15.fa
same 'files: tsv' --format=tsv -k 1 ACGTACGTA "$@"
same 'files: -c' -c -k 2 ACGTACGTA "$@"
same 'files: -c -s' -c -s -k 2 ACGTACGTA "$@"
same 'files: -l' -l -k 1 ACGTACGTAC "$@"
same 'files: -L' -L -k 1 ACGTACGTAC "$@"
same 'files: -q (exit 0 at the first hit)' -q -k 1 ACGTACGTAC "$@"
same 'files: -q, no hit' -q GGGGGGGGGGGGGGGGGGGGGGGG "$@"
same 'files: -H -n plain' -H -n -k 1 ACGTACGTACG "$@"
same 'files: a directory without -r' -c -k 1 ACGTACG many many/f3.fa
same 'files: -r' -r -c -k 1 ACGTACGTA many
same 'files: -r -I --format=bed' -r -I --format=bed -k 1 ACGTACGTA many
same 'files: the same large file twice' -c -k 1 GATTACA big.fa multi.fa big.fa

# Text lines (the lines mode): -i, -o, -b.
awk 'BEGIN { x = 99; split("alpha beta gamma delta needle haystack Needle NEEDLE", w, " ")
    for (l = 0; l < 60000; l++) { s = ""; n = 1 + l % 9
        for (i = 0; i < n; i++) { x = (x * 69069 + 1) % 4294967296; s = s w[1 + x % 8] " " }
        print s } }' >words.txt
same 'text: -i -k 1' -i -k 1 needle words.txt
same 'text: -o -b -n' -o -b -n -k 2 'needle hay' words.txt
same 'text: tsv' --format=tsv -k 1 'gamma del' words.txt
same 'text: --whole --distances' --whole --distances 'needle haystack' words.txt

# Standard input (rank 0's alone), also mixed with files, and -f -.
cp multi.fa "$tmp/stdin"
same 'stdin: tsv' --format=tsv -k 1 ACGTACGTAC
same 'stdin between files' -c -k 1 ACGTACGTAC big.fa - many/f3.fa
printf 'ACGTACGTAC\nGATTACAGAT\n' >"$tmp/stdin"
same '-f -: patterns from rank 0'"'"'s stdin' --format=tsv -k 1 -f - multi.fa
: >"$tmp/stdin"

# Errors: usage, exit 2, messages.
same 'usage error' -k x ACGT big.fa
same 'missing PATTERN'
same 'missing file only' ACGT nonexistent.fa
same '--distances with two patterns' --distances -e ACGT -e GGG big.fa

# Three ranks: another split of the same inputs.
NP=3
same '3 ranks: big tsv' --format=tsv -k 1 GATTACA big.fa
same '3 ranks: files -c' -c -k 2 ACGTACGTA "$@"
same '3 ranks: multi json --rc' --rc --format=json -k 1 ACGTACGTAC multi.fa
NP=2
# Ranks with threads (-j 2 on each rank): the same again.
same 'ranks x threads: -j 2' -j 2 --format=tsv -k 2 ACGTACGTAC multi.fa big.fa

# ---- Real data --------------------------------------------------------------------------

dna=${HAM_DATA_DIR:-/nonexistent}/dna
if [ -r "$dna/ecoli_k12_mg1655.fa.gz" ]; then
    same 'E. coli: tsv --rc -k 2' --format=tsv --rc -k 2 GGGCGGCGACCT "$dna/ecoli_k12_mg1655.fa.gz"
    same 'E. coli: -o -n -b -k 3' -o -n -b -k 3 TTGACAATTAATCATCGGC "$dna/ecoli_k12_mg1655.fa.gz"
    same 'dm3 upstream (many records): -c -k 2' -c -k 2 TATAAAAGGCGC "$dna/dm3_upstream2000_chr2L_2R_3L.fa.gz"
    same 'dm3 upstream: plain -k 1' -k 1 GATTACAGATTA "$dna/dm3_upstream2000_chr2L_2R_3L.fa.gz"
    same 'all DNA files: -c --rc -k 1' -c --rc -k 1 ACGTTGCAAC "$dna"/*.fa.gz
    same 'S. aureus: --distances' --distances GATTACAGATTACAGATTACA "$dna/saureus_n315.fa.gz"
else
    echo "note: no HAM_DATA_DIR: real DNA skipped"
fi
prot=${HAM_DATA_DIR:-/nonexistent}/protein/uniprot_mmseqs2_db_1-10000.fa.gz
if [ -r "$prot" ]; then
    same 'UniProt: tsv -k 3' --format=tsv -k 3 MKVLAAGIVGLLL "$prot"
fi
lambda=$srcdir/bench/data/phage_lambda.fa.gz
if [ -r "$lambda" ]; then
    same 'bundled phage lambda: the README command' -k 3 --format=tsv GGGCGGCGACCT "$lambda"
fi

finish

#!/bin/sh
# SPDX-License-Identifier: MIT
# peers_hs.sh -- `make peers-hs`: bench/peers_hs (Hyperscan's Hamming mode
# against libhamming's k-mismatch search) on E. coli (DATA_DIR/dna, FASTA)
# for patterns cut from the genome at fixed offsets, m = 12 .. 64 and a few
# k each. One TSV line per (m, k): both tools' best-of-3 scan times, hit
# counts, Hyperscan's recall and precision against libhamming's exact hits.
#   bench/peers_hs.sh [PEERS_HS] [DATA_DIR]
set -u
hs=${1:-bench/peers_hs}
data=${2:-${HAM_DATA_DIR:-$(dirname "$0")/../../shared/data}}
[ -x "$hs" ] || { echo "peers_hs.sh: no $hs" >&2; exit 2; }
work=${TMPDIR:-/tmp}/peers_hs.$$
mkdir -p "$work" || exit 2
trap 'rm -rf "$work"' EXIT
gzip -dc "$data/dna/ecoli_k12_mg1655.fa.gz" >"$work/ecoli.fa" || exit 2
seq=$(grep -v '^>' "$work/ecoli.fa" | head -n 20000 | tr -d '\n')
first=1
for mk in "12 1" "12 2" "20 2" "20 4" "32 3" "32 6" "64 4" "64 8"; do
    set -- $mk
    pat=$(printf '%s' "$seq" | cut -c $((100001))-$((100000 + $1)))
    out=$("$hs" --fasta -k "$2" "$pat" "$work/ecoli.fa") || exit 1
    if [ $first -eq 1 ]; then printf '%s\n' "$out"; first=0; else printf '%s\n' "$out" | tail -n 1; fi
done

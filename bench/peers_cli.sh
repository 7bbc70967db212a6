#!/bin/bash
# SPDX-License-Identifier: MIT
# hamgrep next to other approximate-grep tools on the same inputs: time, hits,
# and their recall against hamgrep's exact hits (Hamming distance, every
# window, both overlapping and across FASTA line wraps).
#
#   bench/peers_cli.sh [HAMGREP] [DATA_DIR]
#
# Peers (Debian packages, installed here when missing and run as root; never
# needed by make check): ugrep (-Z~K: fuzzy, insertions and deletions too,
# so it is restricted to substitutions by nothing; line based), tre-agrep
# (-D 99 -I 99 -S 1 -E K: substitutions only; line based), EMBOSS fuzznuc
# (-pmismatch K: substitutions, sequence aware).
# Inputs, built from DATA_DIR (../shared/data): every dna/*.fa.gz joined
# into one FASTA, three times (~120 Mbp), and English text (KJV + GCIDE A-L,
# 25.6 MB).
set -u
here=$(cd "$(dirname "$0")" && pwd)
H=${1:-$here/../_build/cli/hamgrep}
data=${2:-${HAM_DATA_DIR:-$here/../../shared/data}}
work=${TMPDIR:-/tmp}/hamgrep-peers
mkdir -p "$work" && cd "$work" || exit 2
[ -x "$H" ] || { echo "peers_cli: no hamgrep at $H" >&2; exit 2; }

missing=
command -v ugrep >/dev/null || missing="$missing ugrep"
command -v tre-agrep >/dev/null || missing="$missing tre-agrep"
command -v fuzznuc >/dev/null || missing="$missing emboss"
if [ -n "$missing" ] && [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# the corpus has 40 Mbp of DNA: three copies (records renamed) make ~120 Mbp
[ -s dna.fa ] || for c in 1 2 3; do
    for f in "$data"/dna/*.fa.gz; do zcat "$f"; done | sed "s/^>\([^ ]*\)/>\1_copy$c/"
done > dna.fa
[ -s en.txt ] || { xz -dc "$data/text/kjv_bible.txt.xz"; xz -dc "$data/text/gcide_A-L.txt.xz"; } > en.txt

# byte offset of each line, to turn tre-agrep's line:column into an offset
lineoff() { awk '{print NR "\t" off; off += length($0) + 1}' "$1" > "$1.lo"; }
lineoff dna.fa
lineoff en.txt

t() {
    local name=$1
    shift
    /usr/bin/time -f "%e" -o time.txt timeout 1800 "$@"
    printf '  %-10s %7.2f s' "$name" "$(tail -n 1 time.txt)" >&3
}
have() { command -v "$1" >/dev/null; }
exec 3>&1

run() { # FILE PATTERN K [dna]
    local f=$1 P=$2 K=$3 kind=${4:-text} mb ci=
    # hamgrep matches soft-masked (lower-case) bases in FASTA: the line
    # tools get -i there to search the same thing
    [ "$kind" = dna ] && ci=-i
    mb=$(($(stat -c %s "$f") / 1000000))
    echo "== $f ($mb MB) pattern '$P' k=$K"
    t hamgrep "$H" -o -b -k "$K" "$P" "$f" > h.out
    cut -d: -f1 h.out | sort -u > h.off
    echo "   hits $(wc -l < h.out), $(awk -v mb="$mb" -v t="$(tail -n 1 time.txt)" 'BEGIN { printf "%.0f", mb / (t > 0 ? t : 0.01) }') MB/s"
    if have ugrep; then
        t ugrep ugrep $ci -U -o -b -Z~"$K" "$P" "$f" > u.out
        cut -d: -f1 u.out | sort -u > u.off
        echo "   hits $(wc -l < u.out), recall $(comm -12 h.off u.off | wc -l)/$(wc -l < h.off)"
    fi
    if have tre-agrep; then
        t tre-agrep tre-agrep $ci -n --show-position -D 99 -I 99 -S 1 -E "$K" "$P" "$f" > a.out
        awk -F: 'NR == FNR {o[$1] = $2; next} {split($2, r, "-"); print o[$1] + r[1]}' \
            FS='\t' "$f.lo" FS=: a.out | sort -u > a.off
        echo "   lines $(wc -l < a.out), recall $(comm -12 h.off a.off | wc -l)/$(wc -l < h.off)"
    fi
    if [ "$kind" = dna ] && have fuzznuc; then
        t fuzznuc fuzznuc -sequence "$f" -pattern "$P" -pmismatch "$K" -complement N \
            -rformat excel -outfile f.out -auto
        # compare (record, 1-based start); record names reduced to their last
        # '|' field, since fuzznuc shortens NCBI-style names
        "$H" --format=tsv -k "$K" "$P" "$f" | tail -n +2 |
            awk -F'\t' '{n = split($2, a, "|"); s = a[n] != "" ? a[n] : a[n-1]; print s "\t" $3 + 1}' | sort > h.pos
        awk -F'\t' 'NR > 1 && $1 != "SeqName" {n = split($1, a, "|"); s = a[n] != "" ? a[n] : a[n-1]; print s "\t" $2}' f.out | sort > f.pos
        echo "   hits $(wc -l < f.pos), recall $(comm -12 h.pos f.pos | wc -l)/$(wc -l < h.pos)"
    fi
}

run dna.fa TTGACAATTAATCATC 3 dna
run dna.fa GGGCGGCGACCT 2 dna
run en.txt righteousness 2
run en.txt 'in the beginning' 3

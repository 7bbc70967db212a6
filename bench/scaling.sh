#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/scaling.sh -- strong scaling on this machine (issue 10): the same
# work on 1 and 2 threads and on 1 and 2 MPI ranks, side by side.
#
#   library  bench/hambench --threads=T (ham_params.threads): the exact
#            distance profile (m = 16384, DNA and 32-bit tokens), and
#            k-mismatch (m = 32 and 1000, k = 2 and 10, n = 100M): the dense
#            k-bounded profile (kmis) and the search for hits (hits)
#   hamgrep  cli/hamgrep -j T on ~100 Mbp of real DNA (FASTA): -c -k (one
#            pattern; 16 patterns on both strands), and --distances on one
#            6 Mbp sequence (output to /dev/null)
#   MPI      mpirun -np P cli/hamgrep-mpi, the same commands (if built)
#
# Prints TSV: case, tool, time with 1, time with 2, speed-up, load average
# before the case. Times are medians of REPS runs (default 5). Not part of
# make check: about 5-10 minutes on a quiet 2-core machine.
#
# Usage: bench/scaling.sh [BUILDDIR [DATADIR]]
#   BUILDDIR  the configured build tree (default: .); bench/hambench is
#             built there if missing (make bench/hambench)
#   DATADIR   the shared corpus (default: the build's HAM_DATA_DIR)
# Environment: REPS (5), MBP (100, size of the DNA text), SCALING_TMP,
# CASES (a regular expression: only the cases whose name matches).
#
# Every timed run holds flock /tmp/hambench.lock (shared with the other
# benchmarks on this machine), and the time excludes the wait for the lock.

set -u
build=$(cd "${1:-.}" && pwd) || exit 2
data=${2:-$(sed -n "s/^HAM_DATA_DIR = //p" "$build/Makefile" 2>/dev/null)}
reps=${REPS:-5}
mbp=${MBP:-100}
lock=/tmp/hambench.lock
if [ -z "$data" ] || [ ! -d "$data/dna" ]; then
    echo "scaling.sh: no data directory (give DATADIR)" >&2
    exit 2
fi
[ -x "$build/bench/hambench" ] || make -C "$build" bench/hambench >/dev/null || exit 2
hambench=$build/bench/hambench
hamgrep=$build/cli/hamgrep
hamgrep_mpi=$build/cli/hamgrep-mpi
[ -x "$hamgrep_mpi" ] || hamgrep_mpi=
OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM

tmp=${SCALING_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/scaling.XXXXXX")} || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# ~MBP Mbp of real DNA as FASTA: the corpus's genomes, repeated.
dna=$tmp/dna.fa
: >"$dna"
while [ "$(wc -c <"$dna")" -lt $((mbp * 1000000)) ]; do
    for f in "$data"/dna/*.fa.gz; do gzip -dc "$f"; done >>"$dna"
done
# one sequence of 6 Mbp for --distances (its output is a line per position)
{ echo '>s6'; grep -v '^>' "$dna" | head -n 120000; } >"$tmp/dna6.fa"
# patterns: windows of E. coli (one record, so each occurs in the text:
# a search without hit exits 1, and mpirun takes ~2 s more to wind down a
# job with a non-zero exit, which would swamp the timing)
gzip -dc "$data/dna/ecoli_k12_mg1655.fa.gz" | sed 1d | tr -d '\n' >"$tmp/ecoli.seq"
pat() { tail -c +"${2:-1000001}" "$tmp/ecoli.seq" | head -c "$1"; }
p32=$(pat 32)
p1000=$(pat 1000)
p16k=$(pat 16384)
i=0
while [ $i -lt 16 ]; do pat 32 $((100001 + 7919 * i)); echo; i=$((i + 1)); done >"$tmp/pats16"

# One timed run of "$@" under the lock, in seconds.
once()
{
    flock "$lock" sh -c 's=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 ))' sh "$@" |
        awk '{ printf "%.4f\n", $1 / 1e6 }'
}

median()
{
    i=0
    while [ $i -lt "$reps" ]; do
        once "$@"
        i=$((i + 1))
    done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# hambench's own median (it repeats and verifies); the auto row.
hb()
{
    flock "$lock" "$hambench" --data-dir="$data" --engines=auto --baseline=auto \
        --reps="$reps" --budget=60 --max-time=600 "$@" 2>/dev/null |
        awk -F '\t' 'NR > 1 && $1 == "auto" { print $11; exit }'
}

load() { cut -d ' ' -f 1 /proc/loadavg; }

cases=${CASES:-.}
want() { printf '%s\n' "$1" | grep -Eq -- "$cases"; }

row()
{
    awk -v c="$1" -v t="$2" -v a="$3" -v b="$4" -v l="$5" \
        'BEGIN { printf "%s\t%s\t%s\t%s\t%.2f\t%s\n", c, t, a, b, (b > 0 ? a / b : 0), l }'
}

printf 'case\ttool\tt1_s\tt2_s\tspeedup\tload1\n'

# ---- library: ham_params.threads -----------------------------------------------
for c in 'exact dna m=16384 n=16M|--modes=exact --alphabet=dna --n=16M --m=16384' \
    'exact tokens32 m=16384 n=8M|--modes=exact --alphabet=tokens32 --n=8M --m=16384' \
    'kmis dense dna m=32 k=2 n=100M|--modes=kmis --alphabet=dna --n=100M --m=32 --k=2' \
    'kmis dense dna m=1000 k=10 n=100M|--modes=kmis --alphabet=dna --n=100M --m=1000 --k=10' \
    'kmis hits dna m=32 k=2 n=100M|--modes=hits --alphabet=dna --n=100M --m=32 --k=2' \
    'kmis hits dna m=1000 k=10 n=100M|--modes=hits --alphabet=dna --n=100M --m=1000 --k=10'; do
    name=${c%%|*}
    args=${c#*|}
    want "$name" || continue
    l=$(load)
    # shellcheck disable=SC2086
    t1=$(hb $args --threads=1)
    # shellcheck disable=SC2086
    t2=$(hb $args --threads=2)
    row "$name" 'hambench --threads' "$t1" "$t2" "$l"
done

# ---- hamgrep -j and hamgrep-mpi ------------------------------------------------------
cli_case()
{
    name=$1
    shift
    want "$name" || return 0
    l=$(load)
    t1=$(median "$hamgrep" -j 1 "$@")
    t2=$(median "$hamgrep" -j 2 "$@")
    row "$name" 'hamgrep -j' "$t1" "$t2" "$l"
    if [ -n "$hamgrep_mpi" ]; then
        l=$(load)
        t1=$(median mpirun -q -np 1 "$hamgrep_mpi" "$@")
        t2=$(median mpirun -q -np 2 "$hamgrep_mpi" "$@")
        row "$name" 'hamgrep-mpi -np' "$t1" "$t2" "$l"
    fi
}
cli_case "kmis FASTA ${mbp} Mbp m=32 k=2" -c -k 2 "$p32" "$dna"
cli_case "kmis FASTA ${mbp} Mbp m=1000 k=10" -c -k 10 "$p1000" "$dna"
cli_case "kmis FASTA ${mbp} Mbp 16 patterns m=32 k=4 --rc" -c --rc -k 4 -f "$tmp/pats16" "$dna"
cli_case 'distances FASTA 6 Mbp m=16384' --distances "$p16k" "$tmp/dna6.fa"

printf '# %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(date -u '+%Y-%m-%d %H:%M UTC')"

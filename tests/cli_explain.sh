#!/bin/sh
# SPDX-License-Identifier: MIT
# hamgrep --explain: one "hamgrep: explain:" line per library plan on stderr
# (pattern, strand, then ham_plan_explain's line), naming an engine the
# build has and, with --engine, that engine marked forced; stdout and the
# exit status are those of the same search without --explain. Run by make
# check; see tests/cli_common.sh.

. "${HAM_SRCDIR:-$(dirname "$0")/..}/tests/cli_common.sh"

# stdout and status unchanged
hg -k 2 ACGTACGT tiny.fa
cp "$tmp/out" "$tmp/plain_out"
plain_st=$st
hg --explain -k 2 ACGTACGT tiny.fa
if [ "$st" = "$plain_st" ] && cmp -s "$tmp/out" "$tmp/plain_out"; then ok; else
    bad "explain stdout" "output or status ($st, $plain_st) differs from the plain search"; fi
if [ "$(grep -c '^hamgrep: explain: pattern ACGTACGT strand +: engine=[a-z0-9]* n=[0-9]* m=8 ' "$tmp/err")" = 1 ] &&
    [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok; else
    bad "explain line" "$(cat "$tmp/err")"; fi
eng=$(sed -n 's/.*: engine=\([a-z0-9]*\) .*/\1/p' "$tmp/err")
if "$HAMGREP" --help | grep -q "Engines in this build:.* $eng\\b"; then ok; else
    bad "explain engine" "'$eng' is not an engine of this build"; fi
if grep -q "costs(ns):.* $eng=" "$tmp/err" && grep -q " cost_n=[0-9]" "$tmp/err"; then ok; else
    bad "explain costs" "$(cat "$tmp/err")"; fi

# both strands, forced engine
hg --explain --rc --engine=naive -k 1 ACGTTTGA tiny.fa
if [ "$(grep -c ': engine=naive (forced) ' "$tmp/err")" = 2 ] &&
    grep -q 'strand +:' "$tmp/err" && grep -q 'strand -:' "$tmp/err"; then ok; else
    bad "explain --rc forced" "$(cat "$tmp/err")"; fi

# without --explain: nothing on stderr
hg -k 1 ACGTTTGA tiny.fa
if [ ! -s "$tmp/err" ]; then ok; else bad "no explain" "$(cat "$tmp/err")"; fi

finish

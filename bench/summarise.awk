# SPDX-License-Identifier: MIT
# summarise.awk -- per-cell summary of hambench TSV (bench/README): for every
# cell (mode, alphabet, width, n, m, k, eps) the fastest engine measured in the
# run (engine rows only: the naive/<kernel> rows are the naive engine's own
# variants, not choices AUTO could make), AUTO's time and pick, AUTO/best and
# abrahamson/AUTO. One pass over the rows, O(rows) time and memory.
#
#   awk -f summarise.awk [-v out=tsv|md] [-v tol=1.10] [-v plotdir=DIR] FILE...
#
# out=tsv (default): one row per cell, then "# geomean ..." lines.
# out=md: Markdown tables per mode (what doc/benchmarks.md embeds).
# plotdir=DIR: also writes the gnuplot data files of bench/report.gp there
# (exact mode): time_<alphabet>.dat (m, then one column per engine),
# vsabr_<alphabet>.dat (abrahamson time / engine time), auto_best.dat (m,
# then AUTO/best per alphabet). Missing values are NaN (gnuplot skips them).
# A skipped row (reps = 0) is never "the fastest": it was not measured.
BEGIN {
    FS = "\t"; OFS = "\t"
    if (out == "") out = "tsv"
    if (tol == "") tol = 1.10
}
/^#/ || $1 == "engine" { next }
NF >= 16 {
    eng = $1; mode = $2; alpha = $3; m = $6; k = $8; eps = $9
    cell = mode SUBSEP alpha SUBSEP $4 SUBSEP $5 SUBSEP m SUBSEP k SUBSEP eps
    if (!(cell in seen)) { seen[cell] = 1; order[++ncell] = cell }
    if ($10 + 0 == 0 || $11 == "-") { skipped[cell] = skipped[cell] (skipped[cell] == "" ? "" : ",") eng; next }
    t = $11 + 0
    if (eng ~ /\//) next
    if (!((mode, alpha) in amseen)) { amseen[mode, alpha] = 1; alist[mode] = alist[mode] " " alpha }
    if (!((mode, eng) in eseen) && eng != "auto") { eseen[mode, eng] = 1; elist[mode] = elist[mode] " " eng }
    if (!((mode, alpha, m) in mseen)) { mseen[mode, alpha, m] = 1; mlist[mode, alpha] = mlist[mode, alpha] " " m }
    time[cell, eng] = t
    if (eng == "auto") {
        n = split($16, parts, ";")
        for (i = 1; i <= n; i++) if (parts[i] ~ /^auto=/) pick[cell] = substr(parts[i], 6)
        next
    }
    if (!(cell in best) || t < best[cell]) { best[cell] = t; beng[cell] = eng }
}
function fmt(x) { return x == "" ? "-" : sprintf("%.3g", x) }
END {
    if (out == "tsv")
        print "mode", "alphabet", "width", "n", "m", "k", "eps", "best", "best_s", "auto_s",
              "auto_pick", "auto_over_best", "abr_s", "abr_over_auto", "flag", "skipped"
    for (c = 1; c <= ncell; c++) {
        cell = order[c]; split(cell, f, SUBSEP)
        a = ((cell, "auto") in time) ? time[cell, "auto"] : ""
        ab = ((cell, "abrahamson") in time) ? time[cell, "abrahamson"] : ""
        r = (a != "" && (cell in best)) ? a / best[cell] : ""
        ra = (a != "" && ab != "") ? ab / a : ""
        flag = (r != "" && r > tol) ? "OFF" : ""
        ratio_ab[cell] = r
        if (ra != "") { gsum[f[1]] += log(ra); gcnt[f[1]]++ }
        if (r != "") { rsum[f[1]] += log(r); rcnt[f[1]]++; if (flag != "") noff[f[1]]++ }
        if (out == "tsv")
            print f[1], f[2], f[3], f[4], f[5], f[6], f[7], beng[cell], fmt(best[cell]), fmt(a),
                  pick[cell] == "" ? "-" : pick[cell], r == "" ? "-" : sprintf("%.3f", r),
                  fmt(ab), ra == "" ? "-" : sprintf("%.2f", ra), flag,
                  skipped[cell] == "" ? "-" : skipped[cell]
    }
    for (md in gcnt)
        printf("# geomean abrahamson/auto mode=%s cells=%d: %.3f\n", md, gcnt[md],
               exp(gsum[md] / gcnt[md])) > (out == "tsv" ? "/dev/stdout" : "/dev/stderr")
    for (md in rcnt)
        printf("# geomean auto/best mode=%s cells=%d: %.3f; cells over %.2f: %d\n", md,
               rcnt[md], exp(rsum[md] / rcnt[md]), tol, noff[md] + 0) > (out == "tsv" ? "/dev/stdout" : "/dev/stderr")
    if (out == "md") {
        for (md in alist) {
            ne = split(substr(elist[md], 2), E, " ")
            printf("\n#### Mode %s\n\n", md)
            printf("| alphabet | m | k | eps |")
            for (i = 1; i <= ne; i++) printf(" %s |", E[i])
            printf(" auto | AUTO pick | AUTO/best | abrahamson/AUTO |\n|---|---:|---:|---:|")
            for (i = 1; i <= ne + 4; i++) printf("---:|")
            printf("\n")
            for (c = 1; c <= ncell; c++) {
                cell = order[c]; split(cell, f, SUBSEP)
                if (f[1] != md) continue
                printf("| %s | %s | %s | %s |", f[2], f[5], f[6], f[7])
                for (i = 1; i <= ne; i++) {
                    v = ((cell, E[i]) in time) ? sprintf("%.4g", time[cell, E[i]]) : "skip"
                    if (!((cell, E[i]) in time) && index("," skipped[cell] ",", "," E[i] ",") == 0) v = "-"
                    if (beng[cell] == E[i]) v = "**" v "**"
                    printf(" %s |", v)
                }
                a = ((cell, "auto") in time) ? time[cell, "auto"] : ""
                ab = ((cell, "abrahamson") in time) ? time[cell, "abrahamson"] : ""
                r = ratio_ab[cell]
                printf(" %s | %s | %s%s | %s |\n", a == "" ? "-" : sprintf("%.4g", a),
                       pick[cell] == "" ? "-" : pick[cell],
                       r == "" ? "-" : sprintf("%.3f", r), (r != "" && r > tol) ? " (>10%)" : "",
                       (a != "" && ab != "") ? sprintf("%.2f", ab / a) : "-")
            }
        }
    }
    if (plotdir != "") {
        md = "exact"
        na = split(substr(alist[md], 2), A, " ")
        ne = split(substr(elist[md], 2), E, " ")
        for (j = 1; j <= na; j++) {
            tf = plotdir "/time_" A[j] ".dat"; vf = plotdir "/vsabr_" A[j] ".dat"
            printf("m") > tf; printf("m") > vf
            for (i = 1; i <= ne; i++) { printf("\t%s", E[i]) > tf; printf("\t%s", E[i]) > vf }
            printf("\tauto\n") > tf; printf("\tauto\n") > vf
            nm = split(substr(mlist[md, A[j]], 2), M, " ")
            for (q = 1; q <= nm; q++) {
                printf("%s", M[q]) > tf; printf("%s", M[q]) > vf
                for (i = 1; i <= ne + 1; i++) {
                    e = i <= ne ? E[i] : "auto"
                    found = 0
                    for (c = 1; c <= ncell; c++) {
                        cell = order[c]; split(cell, f, SUBSEP)
                        if (f[1] != md || f[2] != A[j] || f[5] != M[q] || !((cell, e) in time)) continue
                        found = 1
                        printf("\t%g", time[cell, e]) > tf
                        if ((cell, "abrahamson") in time)
                            printf("\t%g", time[cell, "abrahamson"] / time[cell, e]) > vf
                        else printf("\tNaN") > vf
                        break
                    }
                    if (!found) { printf("\tNaN") > tf; printf("\tNaN") > vf }
                }
                printf("\n") > tf; printf("\n") > vf
            }
            close(tf); close(vf)
        }
        af = plotdir "/auto_best.dat"
        printf("m") > af
        for (j = 1; j <= na; j++) printf("\t%s", A[j]) > af
        printf("\n") > af
        # every m of any alphabet, ascending (numeric)
        nall = 0
        for (j = 1; j <= na; j++) {
            nm = split(substr(mlist[md, A[j]], 2), M, " ")
            for (q = 1; q <= nm; q++) if (!(M[q] in allm)) { allm[M[q]] = 1; L[++nall] = M[q] + 0 }
        }
        for (q = 1; q <= nall; q++) for (p = q + 1; p <= nall; p++) if (L[p] < L[q]) { x = L[p]; L[p] = L[q]; L[q] = x }
        for (q = 1; q <= nall; q++) {
            printf("%s", L[q]) > af
            for (j = 1; j <= na; j++) {
                v = "NaN"
                for (c = 1; c <= ncell; c++) {
                    cell = order[c]; split(cell, f, SUBSEP)
                    if (f[1] == md && f[2] == A[j] && f[5] + 0 == L[q] && ratio_ab[cell] != "") { v = sprintf("%.4f", ratio_ab[cell]); break }
                }
                printf("\t%s", v) > af
            }
            printf("\n") > af
        }
        close(af)
    }
}

# SPDX-License-Identifier: MIT
# report.gp -- the plots of `make bench-report` (bench/report.sh), from the
# data files of bench/summarise.awk (plotdir=). Called once per plot:
#   gnuplot -e "kind='time'; dat='DIR/time_dna.dat'; ncol=8; out='x.svg'; ttl='dna'" report.gp
# kind = time (seconds vs m, one line per engine), vsabr (abrahamson time /
# engine time vs m, one line per engine), autobest (AUTO time / fastest
# engine's time vs m, one line per alphabet). SVG: text, small, diffable.
set terminal svg size 800,500 dynamic font "sans,12"
set output out
set datafile separator "\t"
set datafile missing "NaN"
set key outside right top
set logscale x 2
set format x "2^{%L}"
set xlabel "pattern length m"
set grid
if (kind eq 'time') {
    set logscale y 10
    set ylabel "median time (s)"
    set title ttl . ": exact distances, time vs m"
} else {
    if (kind eq 'vsabr') {
        set logscale y 2
        set ylabel "abrahamson time / engine time"
        set title ttl . ": speed relative to Abrahamson (> 1 = faster)"
    } else {
        set ylabel "AUTO time / fastest engine time"
        set yrange [0.5:*]
        set title ttl
    }
}
plot for [i=2:ncol] dat using 1:i with linespoints pointsize 0.8 title columnheader(i)

# The chart of docs/benchmarks.png: median wall time per job and contender, from the data files that
# `Sluice.Bench chart-data` writes. bench/run.sh calls it as
#   gnuplot -e "jobs='JOBS.dat'; scale='SCALE.dat'; output='docs/benchmarks.png'" bench/chart.gp
set terminal pngcairo size 1200,480 font "sans,11"
set output output
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left autotitle columnhead
set ylabel "wall s (median, lower is better)"
set yrange [0:*]
set grid ytics
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#ff7f0e"
set linetype 3 lc rgb "#2ca02c"
set multiplot layout 1,2
set title "Jobs 1, 2 and 5 (3M rows each)"
plot jobs using 2:xtic(1), '' using 3, '' using 4
set title "Job 3: the job-1 CSV at 1×, 3×, 10× the rows"
plot scale using 2:xtic(1), '' using 3
unset multiplot

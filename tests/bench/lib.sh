# Helpers the benchmarks share (sourced, not run): timing, medians, ratios.
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
# the median of the numbers on stdin (one or more a line, space separated); "nan" when there are none
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else print a[int((NR+1)/2)]}'; }
# A / B as "0.42x"; "—" when either is missing or nan, or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || b == 0 || a == "" || a == "nan" || b == "nan") print "—"; else printf "%.2fx", a / b }'; }

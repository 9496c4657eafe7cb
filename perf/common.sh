# perf/common.sh — small helpers shared by the perf scripts (sourced, not run).

# log MESSAGE: a timestamped line on stderr.
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# median NUMBER...: the median of the numbers.
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ratio A B: A / B with two decimals (0 when B is 0 or empty).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

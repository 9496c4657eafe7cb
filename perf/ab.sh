#!/usr/bin/env bash
# perf/ab.sh — CPU per request of two builds (or two servers) of samples/MinimalApi, alternated, pinned.
#
# Usage: perf/ab.sh DLL_A DLL_B [plaintext|json|pipelined|conn-1000] [rounds, default 5] [seconds, default 6]
#
# Each round starts A, then B (each a fresh process, `--server eventcore` unless SERVER_A / SERVER_B say otherwise),
# pinned to CPU 0 with perf/run.sh's runtime settings, warms it with 6 s of the workload (wrk -t1 -c64 on CPU 1; -c1000 for conn-1000),
# then measures req/s and the process's CPU µs per request (/proc/PID/stat, user + system, and user alone: the
# server's own code, less exposed to the kernel's TCP cost moving between starts) over the given seconds.
# Prints each round and the medians, with B/A. The machine's speed drifts over minutes, so only alternated
# comparisons like this one mean anything; DLL = a copy of samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll's
# folder made before the change (A) and after it (B). PORT overrides the port (default 5591).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
if (($# < 2)) || [[ $1 == -h || $1 == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2; fi
A=$(realpath "$1") B=$(realpath "$2") WORKLOAD=${3:-pipelined} ROUNDS=${4:-5} SECONDS_MEASURED=${5:-6} PORT=${PORT:-5591}
SETTINGS=(DOTNET_TieredCompilation=1 DOTNET_TieredPGO=1 DOTNET_TC_CallCountingDelayMs=0 DOTNET_gcServer=1 ASPNETCORE_ENVIRONMENT=Production)
wrk_args() { # wrk_args SECONDS
  case "$WORKLOAD" in
    plaintext|json) echo "-t1 -c64 -d$1s http://127.0.0.1:$PORT/$WORKLOAD" ;;
    pipelined) echo "-t1 -c64 -d$1s -s $PERF_DIR/pipeline.lua http://127.0.0.1:$PORT/plaintext -- 16" ;;
    conn-1000) echo "-t1 -c1000 -d$1s http://127.0.0.1:$PORT/plaintext" ;;
    *) echo "ab.sh: unknown workload $WORKLOAD" >&2; exit 2 ;;
  esac
}
APP_PID=""
trap '[[ -n $APP_PID ]] && kill "$APP_PID" 2>/dev/null || true' EXIT
measure() { # measure DLL SERVER: prints "req/s µs-per-request user-µs-per-request"
  local dll=$1 server=$2 before after ubefore uafter out
  (cd "$(dirname "$dll")" && exec env "${SETTINGS[@]}" taskset -c 0 dotnet "$dll" --server "$server" \
    --urls "http://127.0.0.1:$PORT" --Logging:LogLevel:Default=Warning) >/dev/null 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break; sleep 0.2; done
  # shellcheck disable=SC2046
  taskset -c 1 wrk $(wrk_args 6) >/dev/null
  read -r ubefore before < <(awk '{ print $14, $14 + $15 }' "/proc/$APP_PID/stat")
  # shellcheck disable=SC2046
  out=$(taskset -c 1 wrk $(wrk_args "$SECONDS_MEASURED"))
  read -r uafter after < <(awk '{ print $14, $14 + $15 }' "/proc/$APP_PID/stat")
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  awk -v t=$((after - before)) -v u=$((uafter - ubefore)) -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_MEASURED" \
    '/^Requests\/sec/ { printf "%.0f %.3f %.3f\n", $2, t / hz * 1e6 / ($2 * s), u / hz * 1e6 / ($2 * s) }' <<<"$out"
}
RA=() RB=() UA=() UB=() SA=() SB=()
for round in $(seq 1 "$ROUNDS"); do
  read -r q u us < <(measure "$A" "${SERVER_A:-eventcore}"); RA+=("$q"); UA+=("$u"); SA+=("$us"); echo "round $round A: $q req/s, $u µs per request ($us in user mode)"
  read -r q u us < <(measure "$B" "${SERVER_B:-eventcore}"); RB+=("$q"); UB+=("$u"); SB+=("$us"); echo "round $round B: $q req/s, $u µs per request ($us in user mode)"
done
ma=$(median "${RA[@]}") mb=$(median "${RB[@]}") ua=$(median "${UA[@]}") ub=$(median "${UB[@]}") sa=$(median "${SA[@]}") sb=$(median "${SB[@]}")
echo "median A: $ma req/s, $ua µs per request; B: $mb req/s, $ub µs per request; B/A: req/s $(ratio "$mb" "$ma"), µs per request $(awk -v a="$ua" -v b="$ub" 'BEGIN { printf "%.3f", b / a }'), user µs per request $sa → $sb ($(awk -v a="$sa" -v b="$sb" 'BEGIN { printf "%.3f", b / a }'))"

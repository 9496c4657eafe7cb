#!/usr/bin/env bash
# perf/layers.sh — where a request's CPU goes, per layer, on EventCore and on Kestrel's HTTP layer over the same
# epoll transport: how much a faster HTTP layer could gain at most.
#
# Usage: perf/layers.sh [--servers a,b] [--workloads a,b] [--seconds S] [--rounds N] [--port P] [--no-build] [--out FILE]
#
# For each round, workload and server (alternated): samples/MinimalApi pinned to CPU 0 with perf/run.sh's runtime
# settings, wrk -t1 -c64 on CPU 1. After a warm-up, one window of S seconds measures CPU time per request
# (/proc/PID/stat, user + system) with nothing attached; then `perf record -g -C 0` samples CPU 0 for S seconds
# under the same load, and perf/tools/layers.py charges every sample to the layer that caused it: the HTTP layer
# (EventCore.Server or Kestrel.Core), the transport (syscalls included), hosting and the app, or kernel work with no
# managed caller (softirqs, the scheduler). The perf map needs DOTNET_PerfMapEnabled=1 and
# DOTNET_EnableWriteXorExecute=0 (W^X's double mapping hides JIT code from perf); both servers run with them.
# Workloads: plaintext, json, pipelined (×16). Default servers: eventcore,kestrel-epoll; 1 round, 6 s.
# The report (default perf/results/layers.md) gives, per workload, each server's µs per request and layer shares
# (medians over rounds), and the ceiling: the ratio over Kestrel-epoll that any HTTP layer could reach if it cost
# nothing, and how much of Kestrel's HTTP layer's cost one may spend for 1.2×.
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
SERVERS=eventcore,kestrel-epoll WORKLOADS=plaintext,json,pipelined SECONDS_MEASURED=6 ROUNDS=1 PORT=5491 BUILD=1
OUT="$PERF_DIR/results/layers.md"
while (($#)); do
  case "$1" in
    --servers) SERVERS=$2; shift ;;
    --workloads) WORKLOADS=$2; shift ;;
    --seconds) SECONDS_MEASURED=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --port) PORT=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "layers.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v perf >/dev/null || { echo "layers.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "layers.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
if ((BUILD)); then
  log "building samples/MinimalApi (Release)"
  dotnet build -c Release "$REPO_DIR/samples/MinimalApi" -nodeReuse:false -v quiet >/dev/null
fi
WORK=$(mktemp -d)
APP_PID=""
trap '[[ -n $APP_PID ]] && kill "$APP_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
SETTINGS=(DOTNET_TieredCompilation=1 DOTNET_TieredPGO=1 DOTNET_TC_CallCountingDelayMs=0 DOTNET_gcServer=1
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ASPNETCORE_ENVIRONMENT=Production)

wrk_args() { # wrk_args WORKLOAD SECONDS
  case "$1" in
    plaintext) echo "-t1 -c64 -d$2s http://127.0.0.1:$PORT/plaintext" ;;
    json) echo "-t1 -c64 -d$2s http://127.0.0.1:$PORT/json" ;;
    pipelined) echo "-t1 -c64 -d$2s -s $PERF_DIR/pipeline.lua http://127.0.0.1:$PORT/plaintext -- 16" ;;
    *) echo "layers.sh: unknown workload $1" >&2; exit 2 ;;
  esac
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure SERVER WORKLOAD: sets US (µs CPU per request, nothing attached) and SHARES (layer lines of layers.py).
measure() {
  local server=$1 workload=$2 before after out
  (cd "$(dirname "$DLL")" && exec env "${SETTINGS[@]}" taskset -c 0 dotnet "$DLL" --server "$server" \
    --urls "http://127.0.0.1:$PORT" --Logging:LogLevel:Default=Warning) >"$WORK/server.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break; sleep 0.2; done
  # shellcheck disable=SC2046
  taskset -c 1 wrk $(wrk_args "$workload" 8) >/dev/null
  before=$(cpu_ticks "$APP_PID")
  # shellcheck disable=SC2046
  out=$(taskset -c 1 wrk $(wrk_args "$workload" "$SECONDS_MEASURED"))
  after=$(cpu_ticks "$APP_PID")
  US=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$SECONDS_MEASURED" \
    '/^Requests\/sec/ { printf "%.2f", t / hz * 1e6 / ($2 * s) }' <<<"$out")
  # shellcheck disable=SC2046
  taskset -c 1 wrk $(wrk_args "$workload" $((SECONDS_MEASURED + 4))) >/dev/null &
  local load=$!
  sleep 2
  perf record -q -F 2999 -g -C 0 -o "$WORK/perf.data" -- sleep "$SECONDS_MEASURED" >/dev/null 2>&1
  wait "$load"
  SHARES=$(python3 "$PERF_DIR/tools/layers.py" "$WORK/perf.data")
  kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
}

share() { awk -v k="$2" '$2 == k || ($2 " " $3 " " $4) == k { sub("%", "", $1); print $1 }' <<<"$1" | head -1; }

IFS=, read -ra SERVER_LIST <<<"$SERVERS"
IFS=, read -ra WORKLOAD_LIST <<<"$WORKLOADS"
declare -A US_OF HTTP_OF TRANSPORT_OF HOSTING_OF NOCALLER_OF
for round in $(seq 1 "$ROUNDS"); do
  for workload in "${WORKLOAD_LIST[@]}"; do
    for server in "${SERVER_LIST[@]}"; do
      measure "$server" "$workload"
      key="$workload/$server"
      US_OF[$key]="${US_OF[$key]:-} $US"
      HTTP_OF[$key]="${HTTP_OF[$key]:-} $(share "$SHARES" http)"
      TRANSPORT_OF[$key]="${TRANSPORT_OF[$key]:-} $(share "$SHARES" transport)"
      HOSTING_OF[$key]="${HOSTING_OF[$key]:-} $(share "$SHARES" hosting+app)"
      NOCALLER_OF[$key]="${NOCALLER_OF[$key]:-} $(share "$SHARES" "no managed caller")"
      log "round $round, $workload, $server: $US µs per request; $(tr '\n' ' ' <<<"$SHARES")"
    done
  done
done

{
  echo "# Where a request's CPU goes, per layer (perf/layers.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); samples/MinimalApi pinned to CPU 0, wrk -t1 -c64 on CPU 1; $ROUNDS round(s), medians;"
  echo "CPU per request from /proc over ${SECONDS_MEASURED} s with nothing attached, layer shares from \`perf record -g -C 0\` over"
  echo "${SECONDS_MEASURED} s (perf/tools/layers.py). Command: \`perf/layers.sh --servers $SERVERS --workloads $WORKLOADS --rounds $ROUNDS --seconds $SECONDS_MEASURED\`."
  echo
  echo "| workload | server | µs CPU per request | HTTP layer | transport (syscalls included) | hosting + app | kernel, no managed caller | HTTP layer µs per request |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for workload in "${WORKLOAD_LIST[@]}"; do
    for server in "${SERVER_LIST[@]}"; do
      key="$workload/$server"
      read -ra u <<<"${US_OF[$key]}"; read -ra h <<<"${HTTP_OF[$key]}"; read -ra t <<<"${TRANSPORT_OF[$key]}"
      read -ra a <<<"${HOSTING_OF[$key]}"; read -ra n <<<"${NOCALLER_OF[$key]}"
      us=$(median "${u[@]}") http=$(median "${h[@]}")
      echo "| $workload | $server | $us | $http % | $(median "${t[@]}") % | $(median "${a[@]}") % | $(median "${n[@]:-0}") % | $(awk -v u="$us" -v h="$http" 'BEGIN { printf "%.2f", u * h / 100 }') |"
    done
  done
  if [[ " ${SERVER_LIST[*]} " == *" eventcore "* && " ${SERVER_LIST[*]} " == *" kestrel-epoll "* ]]; then
    echo
    echo "**Ceiling over Kestrel's HTTP layer on the same transport.** Both servers share the transport, the kernel's"
    echo "work, hosting and the app. If EventCore's share of those cost what they cost under Kestrel's HTTP layer, an HTTP"
    echo "layer costing nothing would serve 1 / (1 − h) of Kestrel-epoll's requests per CPU second, h being the HTTP"
    echo "layer's share of Kestrel-epoll's CPU (this bound uses one profile, so the machine's speed drift does not enter"
    echo "it). For 1.2× the HTTP layer may cost at most h − 1/6 of Kestrel-epoll's CPU: that fraction of Kestrel's own"
    echo "HTTP layer is 1 − 1/(6h). The last two columns compare µs per request measured minutes apart (drift enters)."
    echo
    echo "| workload | Kestrel's HTTP layer, share of its CPU | with a zero-cost HTTP layer | HTTP layer allowed for 1.2×, of Kestrel's | Kestrel's HTTP layer µs | EventCore's HTTP layer µs |"
    echo "|---|---:|---:|---:|---:|---:|"
    for workload in "${WORKLOAD_LIST[@]}"; do
      read -ra ue <<<"${US_OF[$workload/eventcore]}"; read -ra he <<<"${HTTP_OF[$workload/eventcore]}"
      read -ra uk <<<"${US_OF[$workload/kestrel-epoll]}"; read -ra hk <<<"${HTTP_OF[$workload/kestrel-epoll]}"
      awk -v w="$workload" -v ue="$(median "${ue[@]}")" -v he="$(median "${he[@]}")" -v uk="$(median "${uk[@]}")" -v hk="$(median "${hk[@]}")" 'BEGIN {
        h = hk / 100; allowed = 1 - 1 / (6 * h)
        printf "| %s | %.1f %% | %.2f× | %s | %.2f | %.2f |\n", w, hk, 1 / (1 - h), (allowed > 0) ? sprintf("%.0f %%", 100 * allowed) : "none: unreachable", uk * h, ue * he / 100 }'
    done
  fi
} >"$OUT"
log "wrote $OUT"
cat "$OUT"

#!/usr/bin/env bash
# perf/tls.sh — HTTPS: the sample on EventCore and on Kestrel, same certificate, pinned as perf/run.sh
# (servers on CPU 0, wrk on CPU 1), medians over rounds.
#   https keep-alive  wrk -c64 on https://…/plaintext
#   https new conns   wrk -c64 with "Connection: close": a full TLS handshake per request
# Both servers run side by side for the whole run (the idle one sleeps), and each round measures them back to
# back, the order alternating from round to round, so a drift of the machine's speed (other load, the host) hits
# both alike. Besides req/s it reports the server's CPU time per request (utime+stime of the process over the
# measured run / requests), which load from outside shifts less than the rate.
#
# Usage: perf/tls.sh [--rounds N] [--duration S] [--no-build] [--out FILE]
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
ROUNDS=5 DURATION=8 BUILD=1 OUT="$PERF_DIR/results/tls.md"
while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --no-build) BUILD=0 ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tls.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
[ "$BUILD" = 1 ] && dotnet build "$REPO_DIR/samples/MinimalApi/MinimalApi.csproj" -c Release -nologo -clp:ErrorsOnly >/dev/null
WORK=$(mktemp -d)
declare -A PID PORT=([eventcore]=5385 [kestrel]=5386)
trap 'for p in "${PID[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
export DOTNET_TC_CallCountingDelayMs=0 DOTNET_gcServer=1
start() { # start SERVER: in the background, PID[SERVER] set, returns once it answers
  local section=EventCore url="https://127.0.0.1:${PORT[$1]}"
  [ "$1" = kestrel ] && section=Kestrel
  (cd "$REPO_DIR/samples/MinimalApi" && exec taskset -c 0 dotnet "$DLL" --server "$1" --urls "$url" --environment=Production \
    --Logging:LogLevel:Default=Warning \
    "--$section:Certificates:Default:Path=$WORK/cert.pem" "--$section:Certificates:Default:KeyPath=$WORK/key.pem" \
    >"$WORK/server-$1.log" 2>&1) &
  PID[$1]=$!
  for _ in $(seq 1 100); do curl -fsk "$url/plaintext" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$1 did not start: $(tail -3 "$WORK/server-$1.log")"; return 1
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rate() { # rate SERVER NAME EXTRA-WRK-ARGS...: "req/s µs-CPU-per-request (errors)"
  local server=$1 name=$2; shift 2
  local url="https://127.0.0.1:${PORT[$server]}/plaintext" t0 t1
  taskset -c 1 wrk -t1 -c64 -d3s "$@" "$url" >/dev/null 2>&1 || true
  t0=$(cpu_ticks "${PID[$server]}")
  taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" "$@" "$url" >"$WORK/$name" 2>&1 || true
  t1=$(cpu_ticks "${PID[$server]}")
  local errors requests; errors=$(grep -E 'Socket errors|Non-2xx' "$WORK/$name" | tr '\n' ' ')
  requests=$(awk '/requests in/ { print $1 }' "$WORK/$name")
  echo "$(awk '/Requests\/sec/ { print $2 }' "$WORK/$name") $(awk -v t=$((t1 - t0)) -v r="${requests:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (r > 0) ? t * 1e6 / hz / r : 0 }') ${errors:+($errors)}"
}
for server in eventcore kestrel; do
  start "$server"
  # JIT warm-up of both workloads. The connection open/close and handshake paths still tier up 3-6 s into a first
  # new-connection run (DOTNET_JitStdOutFile + JitDisasmSummary showed hundreds of Tier1 compilations there), so a
  # short warm-up left the first round measuring the JIT.
  taskset -c 1 wrk -t1 -c64 -d5s "https://127.0.0.1:${PORT[$server]}/plaintext" >/dev/null 2>&1 || true
  taskset -c 1 wrk -t1 -c64 -d10s -H "Connection: close" "https://127.0.0.1:${PORT[$server]}/plaintext" >/dev/null 2>&1 || true
done
declare -A RES
for ((r = 1; r <= ROUNDS; r++)); do
  order="eventcore kestrel"
  ((r % 2 == 0)) && order="kestrel eventcore"
  for server in $order; do
    RES[$server,keepalive,$r]=$(rate "$server" "ka-$server-$r")
    RES[$server,newconn,$r]=$(rate "$server" "nc-$server-$r" -H "Connection: close")
    log "round $r $server: keep-alive ${RES[$server,keepalive,$r]}, new connection per request ${RES[$server,newconn,$r]} (req/s, µs CPU/request)"
  done
done
{
  echo "# HTTPS (perf/tls.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); samples/MinimalApi, RSA-2048 self-signed certificate, both servers up side by side on CPU 0, wrk -t1 -c64 on CPU 1, after a 5 s keep-alive and a 10 s new-connection JIT warm-up each, ${ROUNDS} rounds × ${DURATION} s (each after a 3 s warm-up), the servers back to back in each round, order alternating; load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| workload | EventCore req/s (median) | Kestrel req/s (median) | ratio (median of rounds) | per round | EventCore µs CPU/request | Kestrel µs CPU/request | CPU ratio Kestrel/EventCore |"
  echo "|---|---:|---:|---:|---|---:|---:|---:|"
  for w in keepalive newconn; do
    ec=() ks=() ratios=() ecc=() ksc=()
    for ((r = 1; r <= ROUNDS; r++)); do
      read -r e ec_cpu _ <<<"${RES[eventcore,$w,$r]}"; read -r k ks_cpu _ <<<"${RES[kestrel,$w,$r]}"
      ec+=("$e"); ks+=("$k"); ratios+=("$(ratio "$e" "$k")"); ecc+=("$ec_cpu"); ksc+=("$ks_cpu")
    done
    label=$([ $w = keepalive ] && echo "https keep-alive /plaintext" || echo "https, a new TLS connection per request")
    e_cpu=$(median "${ecc[@]}"); k_cpu=$(median "${ksc[@]}")
    echo "| $label | $(median "${ec[@]}") | $(median "${ks[@]}") | $(median "${ratios[@]}") | ${ratios[*]} | $e_cpu | $k_cpu | $(ratio "$k_cpu" "$e_cpu") |"
  done
  errors=$(grep -hE 'Socket errors|Non-2xx' "$WORK"/ka-* "$WORK"/nc-* 2>/dev/null | sort | uniq -c | tr '\n' ';' || true)
  [ -n "$errors" ] && { echo; echo "wrk reported: $errors"; }
} >"$OUT"
cat "$OUT"

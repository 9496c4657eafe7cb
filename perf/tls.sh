#!/usr/bin/env bash
# perf/tls.sh — HTTPS: the sample on EventCore and on Kestrel, same certificate, pinned as perf/run.sh
# (server on CPU 0, wrk on CPU 1), rounds in alternation, medians.
#   https keep-alive  wrk -c64 on https://…/plaintext
#   https new conns   wrk -c64 with "Connection: close": a full TLS handshake per request
#
# Usage: perf/tls.sh [--rounds N] [--duration S] [--no-build] [--out FILE]
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
ROUNDS=3 DURATION=10 BUILD=1 OUT="$PERF_DIR/results/tls.md"
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
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
PORT=5385
export DOTNET_TC_CallCountingDelayMs=0 DOTNET_gcServer=1
start() { # start SERVER
  local section=EventCore
  [ "$1" = kestrel ] && section=Kestrel
  cd "$REPO_DIR/samples/MinimalApi"
  taskset -c 0 dotnet "$DLL" --server "$1" --urls "https://127.0.0.1:$PORT" --environment=Production \
    --Logging:LogLevel:Default=Warning \
    "--$section:Certificates:Default:Path=$WORK/cert.pem" "--$section:Certificates:Default:KeyPath=$WORK/key.pem" \
    >"$WORK/server-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fsk "https://127.0.0.1:$PORT/plaintext" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$1 did not start: $(tail -3 "$WORK/server-$1.log")"; return 1
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
rate() { # rate NAME EXTRA-WRK-ARGS...
  local name=$1; shift
  taskset -c 1 wrk -t1 -c64 -d3s "$@" "https://127.0.0.1:$PORT/plaintext" >/dev/null 2>&1 || true
  taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" "$@" "https://127.0.0.1:$PORT/plaintext" >"$WORK/$name" 2>&1 || true
  local errors; errors=$(grep -E 'Socket errors|Non-2xx' "$WORK/$name" | tr '\n' ' ')
  echo "$(awk '/Requests\/sec/ { print $2 }' "$WORK/$name") ${errors:+($errors)}"
}
declare -A RES
for ((r = 1; r <= ROUNDS; r++)); do
  for server in eventcore kestrel; do
    start "$server"
    taskset -c 1 wrk -t1 -c64 -d5s "https://127.0.0.1:$PORT/plaintext" >/dev/null 2>&1 || true # JIT warm-up
    RES[$server,keepalive,$r]=$(rate "ka-$server-$r")
    RES[$server,newconn,$r]=$(rate "nc-$server-$r" -H "Connection: close")
    log "round $r $server: keep-alive ${RES[$server,keepalive,$r]} req/s, new connection per request ${RES[$server,newconn,$r]} req/s"
    stop
  done
done
{
  echo "# HTTPS (perf/tls.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); samples/MinimalApi, RSA-2048 self-signed certificate, server pinned to CPU 0, wrk -t1 -c64 on CPU 1, ${ROUNDS} rounds × ${DURATION} s, servers alternated; load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| workload | EventCore req/s (median) | Kestrel req/s (median) | ratio (median of rounds) | per round |"
  echo "|---|---:|---:|---:|---|"
  for w in keepalive newconn; do
    ec=() ks=() ratios=()
    for ((r = 1; r <= ROUNDS; r++)); do
      e=${RES[eventcore,$w,$r]%% *}; k=${RES[kestrel,$w,$r]%% *}
      ec+=("$e"); ks+=("$k"); ratios+=("$(ratio "$e" "$k")")
    done
    label=$([ $w = keepalive ] && echo "https keep-alive /plaintext" || echo "https, a new TLS connection per request")
    echo "| $label | $(median "${ec[@]}") | $(median "${ks[@]}") | $(median "${ratios[@]}") | ${ratios[*]} |"
  done
} >"$OUT"
cat "$OUT"

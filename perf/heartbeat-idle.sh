#!/usr/bin/env bash
# perf/heartbeat-idle.sh — what the heartbeat costs while many keep-alive connections sit idle.
#
# Usage: perf/heartbeat-idle.sh [--connections N] [--seconds S] [--port P] [--no-build] [--out FILE]
#
# Starts the sample (samples/MinimalApi) on EventCore pinned to CPU 0 with the heartbeat's trace log on
# (EventCore.Server.Heartbeat=Trace: one line per tick with the connections it visited and its Stopwatch time), opens N
# idle keep-alive connections with perf/idle_client.py on CPU 1 (one GET each, then held), waits 5 s (the pipes are
# released after ~1 s of idleness), then for S seconds reads the tick lines and the server's CPU time (utime + stime,
# /proc/PID/stat). Reports the median tick time, the median connections visited per tick, and the process's CPU
# milliseconds per second while idle. The keep-alive timeout (130 s default) is longer than the window, so no
# connection is due during it. Writes a markdown line to --out (default perf/results/heartbeat-idle.md).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
CONNECTIONS=15000
SECONDS_IDLE=60
OUT="$PERF_DIR/results/heartbeat-idle.md"
BUILD=1
PORT=5393
while (($#)); do
  case "$1" in
    --connections) CONNECTIONS=$2; shift ;;
    --seconds) SECONDS_IDLE=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --port) PORT=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "heartbeat-idle.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
[ "$BUILD" = 1 ] && dotnet build "$REPO_DIR/samples/MinimalApi/MinimalApi.csproj" -c Release -nologo -clp:ErrorsOnly >/dev/null
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
SERVER=""
CLIENT=""
cleanup() {
  for pid in $CLIENT $SERVER; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

cd "$REPO_DIR/samples/MinimalApi"
DOTNET_gcServer=1 taskset -c 0 dotnet "$DLL" --server eventcore --urls "http://127.0.0.1:$PORT" --environment=Production \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:EventCore.Server.Heartbeat=Trace >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/plaintext" >/dev/null 2>&1 && break; sleep 0.2; done
ready="$WORK/ready"
taskset -c 1 python3 "$PERF_DIR/idle_client.py" 127.0.0.1 "$PORT" "$CONNECTIONS" --ready-file "$ready" --hold 900 >/dev/null 2>&1 &
CLIENT=$!
for _ in $(seq 1 1200); do [ -f "$ready" ] && break; sleep 0.1; done
status=$(cat "$ready" 2>/dev/null || echo "ok=0")
log "connections: $status; letting them settle 5 s"
sleep 5
lines_before=$(wc -l <"$WORK/server.log")
cpu_before=$(cpu_ticks "$SERVER")
sleep "$SECONDS_IDLE"
cpu_after=$(cpu_ticks "$SERVER")
hz=$(getconf CLK_TCK)
tail -n +"$((lines_before + 1))" "$WORK/server.log" | grep -o 'Heartbeat tick: [0-9]* connections visited in [0-9.]* µs' >"$WORK/ticks" || true
ticks=$(wc -l <"$WORK/ticks")
us=$(median $(awk '{ print $7 }' "$WORK/ticks"))
visited=$(median $(awk '{ print $3 }' "$WORK/ticks"))
cpu_ms_per_s=$(awk -v a="$cpu_before" -v b="$cpu_after" -v hz="$hz" -v s="$SECONDS_IDLE" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / s }')
commit=$(git -C "$REPO_DIR" rev-parse --short HEAD)
line="| $(date -u '+%Y-%m-%d %H:%M UTC') | $commit | $status | $ticks | $visited | $us | $cpu_ms_per_s |"
log "ticks $ticks, median visited $visited, median tick $us µs, server CPU $cpu_ms_per_s ms/s while idle"
mkdir -p "$(dirname "$OUT")"
if [ ! -f "$OUT" ]; then
  {
    echo "# Heartbeat cost with idle connections (perf/heartbeat-idle.sh)"
    echo
    echo "| when | commit | connections | ticks | visited per tick (median) | tick µs (median) | server CPU ms/s while idle |"
    echo "|---|---|---|---:|---:|---:|---:|"
  } >"$OUT"
fi
echo "$line" >>"$OUT"
echo "$line"

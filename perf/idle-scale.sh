#!/usr/bin/env bash
# perf/idle-scale.sh — bytes per idle keep-alive connection as the count grows, up to what the machine allows.
#
# Usage: perf/idle-scale.sh [--servers eventcore,kestrel] [--steps 2000,5000,10000,15000,18500] [--port P] [--no-build] [--out FILE]
#
# Starts the sample (samples/MinimalApi) on each server in turn, warms it up, forces a full GC (perf/dotnet_gc.py)
# and reads VmRSS; then adds idle connections step by step (each step's new connections from a new perf/idle_client.py
# process, which sends one GET on each, reads the answer and holds the socket), forcing a GC and reading VmRSS after
# each step. Bytes per connection = (RSS now − RSS before any connection) / connections held. Flat means the same
# figure at every step. The process descriptor hard limit here is 20,000 and EventCore keeps a descriptor reserve (a
# tenth of the limit), so the last default step is 18,500. Writes a markdown table to --out (default
# perf/results/idle-scale.md).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
SERVERS=eventcore,kestrel
STEPS=2000,5000,10000,15000,18500
OUT="$PERF_DIR/results/idle-scale.md"
BUILD=1
PORT=5391
while (($#)); do
  case "$1" in
    --servers) SERVERS=$2; shift ;;
    --steps) STEPS=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --port) PORT=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "idle-scale.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
[ "$BUILD" = 1 ] && dotnet build "$REPO_DIR/samples/MinimalApi/MinimalApi.csproj" -c Release -nologo -clp:ErrorsOnly >/dev/null
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
SERVER=""
CLIENTS=()
cleanup() {
  for pid in "${CLIENTS[@]}" $SERVER; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
settle() { sleep 2; python3 "$PERF_DIR/dotnet_gc.py" "$1" 2>/dev/null || true; sleep 1; }

{
  echo "# Idle connections at scale (perf/idle-scale.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), samples/MinimalApi, descriptor limit $(ulimit -n); bytes per connection = (VmRSS − VmRSS before any connection) / connections, after a full GC."
  echo
  echo "| server | connections | VmRSS (MB) | bytes per connection |"
  echo "|---|---:|---:|---:|"
} >"$WORK/table.md"

IFS=, read -ra STEP_LIST <<<"$STEPS"
IFS=, read -ra SERVER_LIST <<<"$SERVERS"
for server in "${SERVER_LIST[@]}"; do
  cd "$REPO_DIR/samples/MinimalApi"
  DOTNET_gcServer=1 dotnet "$DLL" --server "$server" --urls "http://127.0.0.1:$PORT" --environment=Production \
    --Logging:LogLevel:Default=Warning >"$WORK/server-$server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/plaintext" >/dev/null 2>&1 && break; sleep 0.2; done
  python3 "$PERF_DIR/idle_client.py" 127.0.0.1 "$PORT" 200 --hold 0 >/dev/null 2>&1 || true
  settle "$SERVER"
  base=$(rss_kb "$SERVER")
  held=0
  CLIENTS=()
  for step in "${STEP_LIST[@]}"; do
    add=$((step - held))
    ready="$WORK/ready-$server-$step"
    python3 "$PERF_DIR/idle_client.py" 127.0.0.1 "$PORT" "$add" --ready-file "$ready" --hold 900 >/dev/null 2>&1 &
    CLIENTS+=($!)
    for _ in $(seq 1 1200); do [ -f "$ready" ] && break; sleep 0.1; done
    status=$(cat "$ready" 2>/dev/null || echo "ok=0")
    ok=${status#ok=}; ok=${ok%% *}
    held=$((held + ok))
    settle "$SERVER"
    rss=$(rss_kb "$SERVER")
    per=$(( (rss - base) * 1024 / (held > 0 ? held : 1) ))
    log "$server: $held connections held ($status), RSS $((base / 1024)) -> $((rss / 1024)) MB, $per bytes each"
    echo "| $server | $held | $((rss / 1024)) | $per |" >>"$WORK/table.md"
    [ "$ok" = "$add" ] || { log "$server: only $status of $add new connections answered; stopping here"; break; }
  done
  for pid in "${CLIENTS[@]}"; do kill "$pid" 2>/dev/null || true; done
  kill "$SERVER" 2>/dev/null || true
  wait 2>/dev/null || true
  SERVER=""
  CLIENTS=()
done
mkdir -p "$(dirname "$OUT")"
cp "$WORK/table.md" "$OUT"
cat "$OUT"

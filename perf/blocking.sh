#!/usr/bin/env bash
# perf/blocking.sh — does a blocking endpoint freeze the server? The user's own app (perf/UserApp: UseEventCore()
# and no EventCore configuration) on EventCore and on Kestrel, both cores, nothing pinned:
#   1. /plaintext alone: wrk, 32 connections;
#   2. the same while 8 clients call /block (Thread.Sleep(100)) in a loop;
#   3. the same while 8 clients call /block-wait (Task.Delay(100).Wait()) in a loop.
# Reported per server (medians over the rounds): /plaintext kept under each blocking load (vs. alone, same round),
# /plaintext p99, and the blocking requests answered (all must be 200).
#
# Usage: perf/blocking.sh [--rounds N] [--duration S] [--out FILE] [--no-build]
#   --rounds N     rounds, servers alternated in each (default 3)
#   --duration S   seconds per measurement (default 10)
#   --out FILE     markdown report (default perf/results/blocking.md)
set -euo pipefail

PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
APP_DIR="$PERF_DIR/UserApp"
APP_DLL="$APP_DIR/bin/Release/net10.0/UserApp.dll"
ROUNDS=3
DURATION=10
OUT="$PERF_DIR/results/blocking.md"
BUILD=1
PORT=5381
BLOCKERS=8
CONNECTIONS=32

while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "blocking.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
command -v wrk >/dev/null || { echo "blocking.sh: wrk is required (apt-get install wrk)" >&2; exit 1; }

RAW=$(mktemp -d /tmp/eventcore-blocking.XXXXXX)
SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$RAW"
}
trap cleanup EXIT

if ((BUILD)); then
  log "building perf/UserApp (Release)"
  dotnet build -c Release "$APP_DIR" -nologo -v q >"$RAW/build.log" 2>&1 || { cat "$RAW/build.log"; exit 1; }
fi

# The same runtime settings as perf/run.sh gives every .NET server (docs/benchmarks.md).
DOTNET_SETTINGS=(DOTNET_TieredPGO=1 DOTNET_TC_CallCountingDelayMs=0 ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1)

start_server() { # start_server NAME
  (cd "$(dirname "$APP_DLL")" && exec env "${DOTNET_SETTINGS[@]}" dotnet "$APP_DLL" --server "$1" \
    --urls "http://127.0.0.1:$PORT") >"$RAW/server-$1.log" 2>&1 &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 150; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/plaintext" && return 0
    sleep 0.2
  done
  echo "blocking.sh: $1 did not start" >&2
  tail -n 20 "$RAW/server-$1.log" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

plaintext() { # plaintext SECONDS OUTFILE
  wrk -t2 -c"$CONNECTIONS" -d"${1}s" --timeout 8s --latency "http://127.0.0.1:$PORT/plaintext" >"$2" 2>&1 || true
}

measure() { # measure ROUND SERVER
  local round=$1 server=$2 path
  start_server "$server"
  # JIT warm-up of every path measured (not recorded).
  plaintext 3 /dev/null
  wrk -t1 -c"$BLOCKERS" -d3s --timeout 8s "http://127.0.0.1:$PORT/block" >/dev/null 2>&1 || true
  wrk -t1 -c"$BLOCKERS" -d3s --timeout 8s "http://127.0.0.1:$PORT/block-wait" >/dev/null 2>&1 || true
  sleep 1
  plaintext "$DURATION" "$RAW/r$round-$server-alone.txt"
  for path in block block-wait; do
    wrk -t1 -c"$BLOCKERS" -d"$((DURATION + 2))s" --timeout 8s --latency "http://127.0.0.1:$PORT/$path" \
      >"$RAW/r$round-$server-$path-blockers.txt" 2>&1 &
    local blockers=$!
    sleep 1
    plaintext "$DURATION" "$RAW/r$round-$server-$path.txt"
    wait "$blockers" || true
    sleep 1
  done
  log "  $server: alone $(awk '/Requests\/sec/ { print $2 }' "$RAW/r$round-$server-alone.txt") req/s," \
    "with /block $(awk '/Requests\/sec/ { print $2 }' "$RAW/r$round-$server-block.txt")," \
    "with /block-wait $(awk '/Requests\/sec/ { print $2 }' "$RAW/r$round-$server-block-wait.txt")"
  stop_server
}

STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d ' ' -f 1-3 /proc/loadavg)
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round of $ROUNDS"
  if ((round % 2)); then order=(eventcore kestrel); else order=(kestrel eventcore); fi
  for server in "${order[@]}"; do measure "$round" "$server"; done
done

mkdir -p "$(dirname "$OUT")"
python3 - "$RAW" "$ROUNDS" "$DURATION" "$STARTED" "$LOAD_BEFORE → $(cut -d ' ' -f 1-3 /proc/loadavg)" >"$OUT" <<'PY'
import re, statistics, sys
raw, rounds, duration, started, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def wrk(path):
    text = open(path).read()
    def grab(pattern, conv=float, default=None):
        m = re.search(pattern, text)
        return conv(m.group(1)) if m else default
    def ms(value, unit):
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    return {
        "rps": grab(r"Requests/sec:\s+([\d.]+)", default=0.0),
        "requests": grab(r"(\d+) requests in", int, 0),
        "p99": ms(*p99.groups()) if p99 else None,
        "errors": (grab(r"Non-2xx or 3xx responses: (\d+)", int, 0)
                   + sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))),
    }

print(f"# Blocking endpoints: /plaintext under blocking load\n")
print(f"perf/blocking.sh, {started}: perf/UserApp (UseEventCore(), no EventCore configuration) on each server, both "
      f"cores, nothing pinned; {rounds} rounds, servers alternated; {duration} s per measurement after a JIT warm-up; "
      f"wrk -t2 -c32 on /plaintext, 8 connections calling the blocking endpoint in a loop. Load average {load}.\n")
print("| server | blocking endpoint | /plaintext alone (req/s) | with blockers (req/s) | kept | /plaintext p99 | blocking requests answered | errors (plaintext + blocking) |")
print("|---|---|---|---|---|---|---|---|")
for server in ("eventcore", "kestrel"):
    for path in ("block", "block-wait"):
        alone, under, kept, p99, answered, errors = [], [], [], [], [], 0
        for r in range(1, rounds + 1):
            a = wrk(f"{raw}/r{r}-{server}-alone.txt")
            u = wrk(f"{raw}/r{r}-{server}-{path}.txt")
            b = wrk(f"{raw}/r{r}-{server}-{path}-blockers.txt")
            alone.append(a["rps"]); under.append(u["rps"])
            kept.append(u["rps"] / a["rps"] if a["rps"] else 0.0)
            if u["p99"] is not None:
                p99.append(u["p99"])
            answered.append(b["requests"])
            errors += u["errors"] + b["errors"]
        med = statistics.median
        print(f"| {server} | /{path} | {med(alone):,.0f} | {med(under):,.0f} | {med(kept) * 100:.1f} % "
              f"| {med(p99):.1f} ms | {med(answered):.0f} per run | {errors} |")
print("\nkept, p99 and answered are medians over the rounds; errors are summed (non-2xx responses and socket errors).")
PY
log "wrote $OUT"
cat "$OUT"

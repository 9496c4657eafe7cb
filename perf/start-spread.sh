#!/usr/bin/env bash
# perf/start-spread.sh — how much a server's steady speed varies from one process start to the next, per runtime
# setting: is every start as fast as the best one?
#
# Usage: perf/start-spread.sh [--starts N] [--configs a,b,...] [--warmup S] [--windows N] [--seconds S] [--port P] [--no-build] [--out FILE]
#
# Starts perf/UserApp (a user's app: UseEventCore() and nothing else) N times per configuration, the configurations
# alternated start by start, each process pinned to CPU 0 (`taskset -c 0`) with perf/run.sh's runtime settings, and
# wrk pinned to CPU 1 (one thread, 64 connections, GET /plaintext). Each start: a warm-up of --warmup seconds, then
# --windows back-to-back measured windows of --seconds: requests per second, and CPU time per request from
# /proc/PID/stat (user + system), and how busy the server was (CPU seconds per second: under about 0.95 the client,
# not the server, set the pace). A start's speed is the median of its windows. The spread within a start (windows
# of one process: the machine's noise over time) is set against the spread between starts (medians of different
# processes): only when the second is clearly larger do starts differ by more than the machine's noise.
# Configurations (default: package, pgo0, r2r, kestrel):
#   package     the app as built, with the package's runtime settings (buildTransitive/EventCore.Server.props)
#   pgo0        DOTNET_TieredPGO=0: tier-1 code without dynamic PGO's profile-guided choices
#   r2r         the app published with PublishReadyToRun (EventCore's and the app's code precompiled)
#   r2r-pgo0    both
#   noguard     EventCore__Transport__BlockedLoopThreshold=00:01:00: the blocked-loop guard never hands a loop off
#   kestrel     the same app on Kestrel, as the machine's own reference: its spread is the machine's noise
# Defaults: 5 starts, 8 s warm-up, 3 windows of 4 s. Writes a markdown table to --out (default perf/results/start-spread.md).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
STARTS=5 WARMUP=8 WINDOWS=3 SECONDS_MEASURED=4 PORT=5431 BUILD=1
CONFIGS=package,pgo0,r2r,kestrel
OUT="$PERF_DIR/results/start-spread.md"
while (($#)); do
  case "$1" in
    --starts) STARTS=$2; shift ;;
    --configs) CONFIGS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --windows) WINDOWS=$2; shift ;;
    --seconds) SECONDS_MEASURED=$2; shift ;;
    --port) PORT=$2; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "start-spread.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "start-spread.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }

PROJECT="$PERF_DIR/UserApp/UserApp.csproj"
BUILT="$PERF_DIR/UserApp/bin/Release/net10.0/UserApp.dll"
WORK=$(mktemp -d)
R2R="$WORK/r2r/UserApp.dll"
APP_PID=""
cleanup() { [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if [ "$BUILD" = 1 ]; then
  log "building perf/UserApp"
  dotnet build "$PROJECT" -c Release -nologo -clp:ErrorsOnly >/dev/null
fi
if [[ ",$CONFIGS," == *,r2r* ]]; then
  log "publishing perf/UserApp with ReadyToRun"
  dotnet publish "$PROJECT" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$WORK/r2r" -nologo -clp:ErrorsOnly >/dev/null
fi

# The settings perf/run.sh gives every .NET server.
SETTINGS=(DOTNET_TieredCompilation=1 DOTNET_TieredPGO=1 DOTNET_ReadyToRun=1 DOTNET_TC_CallCountingDelayMs=0
  DOTNET_gcServer=1 DOTNET_gcConcurrent=1 ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# window: one measured window against $APP_PID; prints "REQ_PER_S US_PER_REQUEST BUSY".
window() {
  local before after out requests
  before=$(cpu_ticks "$APP_PID")
  out=$(taskset -c 1 wrk -t1 -c64 -d"${SECONDS_MEASURED}s" "http://127.0.0.1:$PORT/plaintext")
  after=$(cpu_ticks "$APP_PID")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  awk -v r="$requests" -v s="$SECONDS_MEASURED" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.0f %.2f %.2f\n", r / s, (r > 0) ? t / hz * 1e6 / r : 0, t / hz / s }'
}

# measure CONFIG: one start; sets RATES (req/s of each window), CPUS (µs per request) and BUSY (CPU s per s).
measure() {
  local config=$1 dll=$BUILT extra=() args=()
  case "$config" in
    package) ;;
    pgo0) extra=(DOTNET_TieredPGO=0) ;;
    r2r) dll=$R2R ;;
    r2r-pgo0) dll=$R2R; extra=(DOTNET_TieredPGO=0) ;;
    noguard) extra=(EventCore__Transport__BlockedLoopThreshold=00:01:00) ;;
    kestrel) args=(--server kestrel) ;;
    *) echo "start-spread.sh: unknown configuration $config" >&2; exit 2 ;;
  esac
  (cd "$(dirname "$dll")" && exec env "${SETTINGS[@]}" "${extra[@]}" taskset -c 0 dotnet "$dll" \
    --urls "http://127.0.0.1:$PORT" "${args[@]}") >"$WORK/server.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$PORT/plaintext" && break; sleep 0.2; done
  taskset -c 1 wrk -t1 -c64 -d"${WARMUP}s" "http://127.0.0.1:$PORT/plaintext" >/dev/null
  RATES=() CPUS=() BUSY=()
  local rps us busy
  for _ in $(seq 1 "$WINDOWS"); do
    read -r rps us busy < <(window)
    RATES+=("$rps") CPUS+=("$us") BUSY+=("$busy")
  done
  kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
}

# spread NUMBER...: max / min.
spread() { local sorted; sorted=$(printf '%s\n' "$@" | sort -n); ratio "$(tail -1 <<<"$sorted")" "$(head -1 <<<"$sorted")"; }

IFS=, read -ra CONFIG_LIST <<<"$CONFIGS"
declare -A RPS CPU WITHIN LOADED
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for start in $(seq 1 "$STARTS"); do
  for config in "${CONFIG_LIST[@]}"; do
    measure "$config"
    log "start $start, $config: windows ${RATES[*]} req/s; ${CPUS[*]} µs CPU per request; server busy ${BUSY[*]}"
    RPS[$config]="${RPS[$config]:-} $(median "${RATES[@]}")"
    CPU[$config]="${CPU[$config]:-} $(median "${CPUS[@]}")"
    WITHIN[$config]="${WITHIN[$config]:-} $(spread "${RATES[@]}")"
    LOADED[$config]="${LOADED[$config]:-} $(median "${BUSY[@]}")"
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# Speed from one process start to the next (perf/start-spread.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); perf/UserApp pinned to CPU 0, wrk -t1 -c64 on CPU 1, GET /plaintext;"
  echo "$STARTS starts per configuration, alternated; ${WARMUP} s warm-up, then $WINDOWS windows of ${SECONDS_MEASURED} s per start;"
  echo "load average at the end: $LOAD_END. Command: \`perf/start-spread.sh --starts $STARTS --windows $WINDOWS --seconds $SECONDS_MEASURED --configs $CONFIGS\`."
  echo "A start's req/s is the median of its windows. *Within a start*: max/min of one process's windows, median over"
  echo "the starts (the machine's noise over time). *Between starts*: max/min of the starts' medians."
  echo
  echo "| configuration | req/s per start | median | within a start | between starts | CPU µs per request (median) | server busy per start |"
  echo "|---|---|---:|---:|---:|---:|---|"
  for config in "${CONFIG_LIST[@]}"; do
    read -ra values <<<"${RPS[$config]}"
    read -ra cpus <<<"${CPU[$config]}"
    read -ra within <<<"${WITHIN[$config]}"
    echo "| $config | ${values[*]} | $(median "${values[@]}") | $(median "${within[@]}") | $(spread "${values[@]}") | $(median "${cpus[@]}") |${LOADED[$config]} |"
  done
} >"$OUT"
cat "$OUT"

#!/usr/bin/env bash
# perf/run.sh — EventCore's load harness: the same app (samples/MinimalApi) on EventCore, Kestrel and
# Kestrel with the epoll transport, with nginx as the reference, measured side by side with wrk.
#
# Usage: perf/run.sh [options]
#   --quick                 1 round, 2 s runs, 2,000 idle connections; the 1 s JIT warm-up of each workload stands in
#                           for the per-measurement warm-up: under 2 minutes
#   --rounds N              rounds of alternation A B C D, A B C D … (default 3)
#   --duration S            seconds per measured wrk run (default 10)
#   --warmup S              seconds of the warm-up run before each measurement (default 3; --quick: 0 = none)
#   --jit-warmup S          per round, after the servers start: S seconds of each selected workload on each .NET
#                           server, so tiered JIT has compiled every measured path at tier 1 before anything is
#                           measured (default 5; --quick: 1; 0 = none)
#   --profile P             pinned (default: servers on CPU 0, wrk on CPU 1) or unpinned (both cores)
#   --servers LIST          comma list of eventcore,kestrel,kestrel-epoll,nginx (the default) and the optional
#                           eventcore-inline / eventcore-threadpool: EventCore with EventCore__Transport__ApplicationScheduling
#                           forced to Inline / ThreadPool (eventcore runs the app as shipped, which sets Inline)
#   --workloads LIST        comma list of idle,plaintext,json,pipelined,static-600,static-100k,conn-1000 (the default),
#                           and the optional conn-4096, short-lived (a new connection per request) and upload-20m
#                           (64 connections POSTing 20 MiB bodies to /drain; .NET servers only)
#   --user-app              measure perf/UserApp (a user's own app: UseEventCore() and no EventCore configuration)
#                           instead of the sample; default servers eventcore,kestrel and workloads plaintext,json
#   --idle-connections N    connections held open for the idle-memory workload (default 10000)
#   --base-port P           first of six consecutive 127.0.0.1 ports (default 5301)
#   --app DLL               measure this MinimalApi.dll instead of building samples/MinimalApi
#   --no-build              use samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll as it is
#   --syscalls              instead of the workloads: syscalls and context switches per request
#                           (plaintext and pipelined, strace -c -f on each server) -> perf/results/syscalls.md
#   --out DIR               where latest.md and latest.png go (default perf/results)
#   -h, --help              this text
#
# It installs what is missing (apt-get: wrk, nginx-light, python3-matplotlib), builds Release, runs
# every workload on every server, and writes perf/results/latest.md (table) and latest.png (chart);
# the raw wrk outputs and server logs of the run go to perf/results/raw/ (git-ignored).
# A server that fails to build or start, or a run with socket errors or non-2xx answers, is marked
# as failed in the table and does not count. See docs/benchmarks.md for the method.
set -euo pipefail

PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
SAMPLE_DIR="$REPO_DIR/samples/MinimalApi"
DEFAULT_DLL="$SAMPLE_DIR/bin/Release/net10.0/MinimalApi.dll"
PY=/usr/bin/python3

ROUNDS=3
DURATION=10
WARMUP=3
JIT_WARMUP=5
PROFILE=pinned
SERVERS=eventcore,kestrel,kestrel-epoll,nginx
WORKLOADS=idle,plaintext,json,pipelined,static-600,static-100k,conn-1000
IDLE_CONNECTIONS=10000
IDLE_SETTLE=5
BASE_PORT=5301
APP_DLL=""
BUILD=1
OUT_DIR="$PERF_DIR/results"
QUICK=0
USER_APP=0
SERVERS_SET=0
WORKLOADS_SET=0
SYSCALLS=0
STRACE_SECONDS=3

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1; DURATION=2; WARMUP=0; JIT_WARMUP=1; IDLE_CONNECTIONS=2000; IDLE_SETTLE=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --jit-warmup) JIT_WARMUP=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    --servers) SERVERS=$2; SERVERS_SET=1; shift ;;
    --workloads) WORKLOADS=$2; WORKLOADS_SET=1; shift ;;
    --idle-connections) IDLE_CONNECTIONS=$2; shift ;;
    --base-port) BASE_PORT=$2; shift ;;
    --app) APP_DLL=$(realpath "$2"); BUILD=0; shift ;;
    --user-app) USER_APP=1 ;;
    --no-build) BUILD=0 ;;
    --syscalls) SYSCALLS=1 ;;
    --out) OUT_DIR=$(realpath -m "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ((USER_APP)); then
  SAMPLE_DIR="$PERF_DIR/UserApp"
  DEFAULT_DLL="$SAMPLE_DIR/bin/Release/net10.0/UserApp.dll"
  ((SERVERS_SET)) || SERVERS=eventcore,kestrel
  ((WORKLOADS_SET)) || WORKLOADS=plaintext,json
fi

case "$PROFILE" in
  pinned) SERVER_CPUS=(taskset -c 0); CLIENT_CPUS=(taskset -c 1); WRK_THREADS=1 ;;
  unpinned) SERVER_CPUS=(); CLIENT_CPUS=(); WRK_THREADS=2 ;;
  *) echo "run.sh: --profile is pinned or unpinned" >&2; exit 2 ;;
esac
IFS=, read -r -a SERVER_LIST <<<"$SERVERS"
IFS=, read -r -a WORKLOAD_LIST <<<"$WORKLOADS"

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- tools
ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v curl >/dev/null || missing+=(curl)
  ((SYSCALLS == 0)) || command -v strace >/dev/null || missing+=(strace)
  [[ -x $PY ]] || missing+=(python3)
  [[ -x $PY ]] && "$PY" -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
  if ((${#missing[@]})); then
    log "installing missing packages: ${missing[*]}"
    if [[ $(id -u) -eq 0 ]]; then
      if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
        log "WARNING: apt-get install failed; continuing with what is there"
      fi
    else
      log "WARNING: not root, cannot apt-get install ${missing[*]}"
    fi
  fi
  command -v wrk >/dev/null || { echo "run.sh: wrk is required" >&2; exit 1; }
  [[ -x $PY ]] || { echo "run.sh: $PY is required" >&2; exit 1; }
}

# ---------------------------------------------------------------- state and cleanup
WORK_DIR=$(mktemp -d /tmp/eventcore-perf.XXXXXX)
chmod 755 "$WORK_DIR" # nginx workers (user nobody) read the web root in it
RAW="$WORK_DIR/raw"
mkdir -p "$RAW"
RESULTS="$RAW/results.tsv"
: >"$RESULTS"
declare -A PIDS=()        # server name -> pid of the process we started
declare -A FAILED=()      # server name -> why it cannot be measured (empty: fine)
IDLE_CLIENT_PID=""

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL. Only processes this script started.
  local pid=$1 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_servers() {
  local name
  for name in "${!PIDS[@]}"; do
    stop_pid "${PIDS[$name]}"
    unset "PIDS[$name]"
  done
}

cleanup() {
  stop_pid "$IDLE_CLIENT_PID"
  stop_servers
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- web root and nginx config
make_webroot() {
  WEBROOT="$WORK_DIR/wwwroot"
  mkdir -p "$WEBROOT"
  cp -r "$SAMPLE_DIR/wwwroot/." "$WEBROOT/" 2>/dev/null || true
  # 600 bytes and 100 KiB of text (printable, so every server serves it as is).
  head -c 600 /dev/zero | tr '\0' 'a' >"$WEBROOT/static-600.txt"
  head -c 102400 /dev/zero | tr '\0' 'b' >"$WEBROOT/static-100k.txt"
}

write_nginx_conf() { # write_nginx_conf PORT
  local dir="$WORK_DIR/nginx"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; multi_accept on; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  types { text/html html; text/css css; text/plain txt; application/javascript js; application/json json; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$1 backlog=4096;
    root $WEBROOT;
    location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
    location = /json { default_type application/json; return 200 '{"message":"Hello, World!"}'; }
  }
}
EOF
  echo "$dir/nginx.conf"
}

# ---------------------------------------------------------------- servers
port_of() {
  case "$1" in
    eventcore) echo "$BASE_PORT" ;;
    kestrel) echo $((BASE_PORT + 1)) ;;
    kestrel-epoll) echo $((BASE_PORT + 2)) ;;
    nginx) echo $((BASE_PORT + 3)) ;;
    eventcore-inline) echo $((BASE_PORT + 4)) ;;
    eventcore-threadpool) echo $((BASE_PORT + 5)) ;;
  esac
}

# The runtime settings every .NET server gets (docs/benchmarks.md, "Runtime settings").
DOTNET_SETTINGS=(
  DOTNET_TieredCompilation=1 DOTNET_TieredPGO=1 DOTNET_ReadyToRun=1 DOTNET_TC_CallCountingDelayMs=0
  DOTNET_gcServer=1 DOTNET_gcConcurrent=1
  ASPNETCORE_ENVIRONMENT=Production DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
)

launch_server() { # launch_server NAME ROUND: starts it in the background (wait_server waits for it)
  local name=$1 round=$2 port log
  port=$(port_of "$name")
  log="$RAW/server-$name-r$round.log"
  if [[ -n ${FAILED[$name]:-} ]]; then return 0; fi
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    FAILED[$name]="port $port already in use"
    return 0
  fi
  if [[ $name == nginx ]]; then
    local nginx_bin conf
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    conf=$(write_nginx_conf "$port")
    "${SERVER_CPUS[@]}" "$nginx_bin" -c "$conf" -e "$WORK_DIR/nginx/error.log" >"$log" 2>&1 &
  else
    # eventcore-inline / eventcore-threadpool: the same app on EventCore with the transport's ApplicationScheduling
    # forced (application code inline on the epoll loop threads, or on the thread pool); eventcore uses the app's
    # own configuration (appsettings.json).
    local server=$name extra=()
    case "$name" in
      eventcore-inline) server=eventcore; extra=(EventCore__Transport__ApplicationScheduling=Inline) ;;
      eventcore-threadpool) server=eventcore; extra=(EventCore__Transport__ApplicationScheduling=ThreadPool) ;;
    esac
    (cd "$(dirname "$APP_DLL")" && exec env "${DOTNET_SETTINGS[@]}" "${extra[@]}" "${SERVER_CPUS[@]}" dotnet "$APP_DLL" \
      --server "$server" --urls "http://127.0.0.1:$port" --webroot "$WEBROOT" \
      --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.AspNetCore=Warning) >"$log" 2>&1 &
  fi
  PIDS[$name]=$!
}

wait_server() { # wait_server NAME ROUND: until /plaintext answers 200 (30 s at most), else marks it failed
  local name=$1 round=$2 port pid code deadline=$((SECONDS + 30))
  pid=${PIDS[$name]:-}
  [[ -n $pid ]] || return 0
  port=$(port_of "$name")
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/plaintext" || true)
    if [[ $code == 200 ]]; then
      log "started $name (pid $pid) on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done
  local log="$RAW/server-$name-r$round.log" why
  why=$(grep -m 1 -E 'Unhandled exception|[Ee]rror|emerg|fail:' "$log" || tail -n 3 "$log")
  FAILED[$name]="did not start (no 200 from /plaintext): $(echo "$why" | tr '\n\t' '  ' | cut -c1-300)"
  log "FAILED to start $name: ${FAILED[$name]}"
  stop_pid "$pid"
  unset "PIDS[$name]"
}

start_servers() { # start_servers ROUND: all of them at once, then wait for each
  local name
  for name in "${SERVER_LIST[@]}"; do launch_server "$name" "$1"; done
  for name in "${SERVER_LIST[@]}"; do wait_server "$name" "$1"; done
}

server_pids() { # the pid and its children (nginx: master + worker)
  local pid=${PIDS[$1]:-}
  [[ -n $pid ]] || return 0
  echo "$pid"
  pgrep -P "$pid" || true
}

cpu_jiffies() { # user+sys clock ticks of the server's processes
  local total=0 pid stat fields
  for pid in $(server_pids "$1"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a fields <<<"${stat##*) }"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

rss_kb() { # VmRSS of the process that holds the connections (nginx: its worker)
  local pid=${PIDS[$1]}
  if [[ $1 == nginx ]]; then pid=$(pgrep -P "$pid" | head -n 1); fi
  awk '/^VmRSS:/ { print $2 }' "/proc/${pid:-0}/status" 2>/dev/null || echo 0
}

alive() { [[ -n ${PIDS[$1]:-} ]] && kill -0 "${PIDS[$1]}" 2>/dev/null; }

# ---------------------------------------------------------------- workloads
record() { # record ROUND WORKLOAD SERVER STATUS WRK_FILE CPU_TICKS EXTRA
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
}

wrk_args() { # wrk_args WORKLOAD PORT: connections, script and URL of a workload
  local port=$2
  case "$1" in
    plaintext) echo "-c 64 http://127.0.0.1:$port/plaintext" ;;
    json) echo "-c 64 http://127.0.0.1:$port/json" ;;
    pipelined) echo "-c 64 -s $PERF_DIR/pipeline.lua http://127.0.0.1:$port/plaintext -- 16" ;;
    static-600) echo "-c 64 http://127.0.0.1:$port/static-600.txt" ;;
    static-100k) echo "-c 64 http://127.0.0.1:$port/static-100k.txt" ;;
    conn-1000) echo "-c 1000 http://127.0.0.1:$port/plaintext" ;;
    conn-4096) echo "-c 4096 http://127.0.0.1:$port/plaintext" ;;
    short-lived) echo "-c 64 -H Connection:close http://127.0.0.1:$port/plaintext" ;;
    upload-20m) echo "-c 64 -s $PERF_DIR/upload.lua http://127.0.0.1:$port/drain -- 20" ;;
  esac
}

run_wrk() { # run_wrk SECONDS WORKLOAD PORT [OUTFILE]
  local seconds=$1 workload=$2 port=$3 out=${4:-/dev/null} args
  read -r -a args <<<"$(wrk_args "$workload" "$port")"
  "${CLIENT_CPUS[@]}" wrk -t"$WRK_THREADS" -d"${seconds}s" --timeout 8s --latency "${args[@]}" >"$out" 2>&1 || true
}

measure() { # measure ROUND WORKLOAD SERVER
  local round=$1 workload=$2 name=$3 port out before after
  if ! alive "$name"; then
    record "$round" "$workload" "$name" "failed: ${FAILED[$name]:-server not running}" "" "" ""
    return
  fi
  port=$(port_of "$name")
  out="$RAW/r$round-$workload-$name.txt"
  if ((WARMUP > 0)); then run_wrk "$WARMUP" "$workload" "$port"; fi
  before=$(cpu_jiffies "$name")
  run_wrk "$DURATION" "$workload" "$port" "$out"
  after=$(cpu_jiffies "$name")
  if ! alive "$name"; then
    FAILED[$name]="crashed during $workload (round $round): $(tail -n 2 "$RAW/server-$name-r$round.log" | tr '\n\t' '  ' | cut -c1-200)"
    record "$round" "$workload" "$name" "failed: ${FAILED[$name]}" "$out" "" ""
    return
  fi
  record "$round" "$workload" "$name" ok "$out" $((after - before)) ""
  log "  $workload $name: $(awk '/Requests\/sec/ { print $2 " req/s" }' "$out")$(grep -E 'Socket errors|Non-2xx' "$out" | tr '\n' ' ' | sed 's/^./ — &/')"
}

measure_idle() { # measure_idle ROUND SERVER: RSS growth per idle keep-alive connection
  local round=$1 name=$2 port ready before after status
  if ! alive "$name"; then
    record "$round" idle "$name" "failed: ${FAILED[$name]:-server not running}" "" "" ""
    return
  fi
  port=$(port_of "$name")
  ready="$WORK_DIR/idle-ready"
  rm -f "$ready"
  # Warm up the request and connection paths (JIT, pools), then let the server settle.
  ((QUICK)) || run_wrk 1 plaintext "$port"
  "${CLIENT_CPUS[@]}" "$PY" "$PERF_DIR/idle_client.py" 127.0.0.1 "$port" 200 --hold 0 >/dev/null 2>&1 || true
  sleep "$IDLE_SETTLE"
  settle_gc "$name"
  before=$(rss_kb "$name")
  "${CLIENT_CPUS[@]}" "$PY" "$PERF_DIR/idle_client.py" 127.0.0.1 "$port" "$IDLE_CONNECTIONS" \
    --ready-file "$ready" --hold 600 >/dev/null 2>&1 &
  IDLE_CLIENT_PID=$!
  local i
  for ((i = 0; i < 1200; i++)); do
    [[ -f $ready ]] && break
    kill -0 "$IDLE_CLIENT_PID" 2>/dev/null || break
    sleep 0.1
  done
  status=$(cat "$ready" 2>/dev/null || echo "ok=0 failed=$IDLE_CONNECTIONS")
  sleep "$IDLE_SETTLE"
  settle_gc "$name"
  after=$(rss_kb "$name")
  stop_pid "$IDLE_CLIENT_PID"
  IDLE_CLIENT_PID=""
  if ! alive "$name"; then
    FAILED[$name]="crashed holding idle connections (round $round)"
    record "$round" idle "$name" "failed: ${FAILED[$name]}" "" "" ""
    return
  fi
  local ok=${status#ok=}
  ok=${ok%% *}
  if [[ $ok != "$IDLE_CONNECTIONS" ]]; then
    record "$round" idle "$name" "failed: only $status connections answered" "" "" "$before $after $ok"
  else
    record "$round" idle "$name" ok "" "" "$before $after $ok"
  fi
  log "  idle $name: RSS ${before} kB -> ${after} kB over $status connections"
  sleep 0.5 # let the server reap the closed connections before the next measurement
}

settle_gc() { # a full GC in .NET servers (perf/dotnet_gc.py), then a short pause
  [[ $1 == nginx ]] && return 0
  "$PY" "$PERF_DIR/dotnet_gc.py" "${PIDS[$1]}" 2>>"$RAW/gc.log" || true
  sleep 0.5
}

context_switches() { # voluntary + involuntary context switches of every thread of the server
  local pid total=0 count
  for pid in $(server_pids "$1"); do
    count=$( (cat /proc/"$pid"/task/*/status 2>/dev/null || true) | awk '/ctxt_switches:/ { sum += $2 } END { print sum + 0 }')
    total=$((total + count))
  done
  echo "$total"
}

measure_syscalls() { # measure_syscalls WORKLOAD SERVER: context switches per request, then syscalls per request under strace
  local workload=$1 name=$2 port pid before after strace_pid tag
  if ! alive "$name"; then
    record 1 "$workload" "$name" "failed: ${FAILED[$name]:-server not running}" "" "" ""
    return
  fi
  port=$(port_of "$name")
  tag="$workload-$name"
  run_wrk "$WARMUP" "$workload" "$port"
  before=$(context_switches "$name")
  run_wrk "$DURATION" "$workload" "$port" "$RAW/ctx-$tag.txt"
  after=$(context_switches "$name")
  pid=${PIDS[$name]}
  if [[ $name == nginx ]]; then pid=$(pgrep -P "$pid" | head -n 1); fi
  strace -c -f -q -p "$pid" -o "$RAW/strace-$tag.txt" 2>>"$RAW/strace-errors.log" &
  strace_pid=$!
  sleep 1
  run_wrk "$STRACE_SECONDS" "$workload" "$port" "$RAW/strace-wrk-$tag.txt"
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  record 1 "$workload" "$name" ok "$RAW/ctx-$tag.txt" $((after - before)) "$RAW/strace-$tag.txt $RAW/strace-wrk-$tag.txt"
  log "  syscalls $workload $name: done"
}

jit_warmup() { # jit_warmup: load every running .NET server until its hot code is tier 1 (not measured)
  # Tiered compilation only promotes a method after it has run a while, and on a saturated pinned core the
  # background compiler gets little CPU: a path first exercised by a measurement would be measured in tier-0 and
  # instrumented code. So every .NET server runs every selected workload first (with DOTNET_TC_CallCountingDelayMs=0,
  # see DOTNET_SETTINGS, tier 1 then arrives within about 2 s of load). Every .NET server gets the same warm-up.
  ((JIT_WARMUP > 0)) || return 0
  local name workload
  for name in "${SERVER_LIST[@]}"; do
    [[ $name == nginx ]] && continue
    alive "$name" || continue
    for workload in "${WORKLOAD_LIST[@]}"; do
      [[ $workload == idle ]] || run_wrk "$JIT_WARMUP" "$workload" "$(port_of "$name")"
    done
  done
  log "JIT warm-up done (${JIT_WARMUP}s of each workload on each .NET server)"
}

keep_raw() { # the run's wrk outputs and the last lines of each server log, for a closer look (git-ignored)
  local file
  rm -rf "$OUT_DIR/raw" && cp -r "$RAW" "$OUT_DIR/raw"
  for file in "$OUT_DIR"/raw/server-*.log; do
    [[ -f $file ]] && tail -n 300 "$file" >"$file.tail" && mv "$file.tail" "$file"
  done
}

# ---------------------------------------------------------------- main
ensure_tools
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (($(ulimit -n) < 20000)) && [[ $(ulimit -n) != unlimited ]]; then
  log "WARNING: ulimit -n is $(ulimit -n) (< 20000); the idle and 1,000-connection workloads may fail"
fi
if ((IDLE_CONNECTIONS + 200 > $(ulimit -n))); then
  IDLE_CONNECTIONS=$(($(ulimit -n) - 500))
  log "WARNING: idle connections lowered to $IDLE_CONNECTIONS to fit ulimit -n"
fi

STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_AT_START=$(cut -d ' ' -f 1-3 /proc/loadavg)
BUILD_NOTE=""
if [[ -z $APP_DLL ]]; then
  APP_DLL=$DEFAULT_DLL
  if ((BUILD)); then
    log "building ${SAMPLE_DIR#"$REPO_DIR"/} (Release)"
    if ! dotnet build -c Release "$SAMPLE_DIR" -nologo -v q >"$RAW/build.log" 2>&1; then
      BUILD_NOTE="build of ${SAMPLE_DIR#"$REPO_DIR"/} failed: $(grep -m1 -E 'error' "$RAW/build.log" | sed 's/^ *//' | cut -c1-300)"
      log "FAILED: $BUILD_NOTE"
    fi
  fi
fi
for name in "${SERVER_LIST[@]}"; do
  if ((USER_APP)) && [[ $name != eventcore && $name != kestrel ]]; then
    echo "run.sh: --user-app runs on eventcore and kestrel only (the app knows --server kestrel, else it uses EventCore)" >&2
    exit 2
  fi
  case "$name" in
    eventcore|eventcore-inline|eventcore-threadpool|kestrel|kestrel-epoll)
      if [[ -n $BUILD_NOTE ]]; then FAILED[$name]=$BUILD_NOTE
      elif [[ ! -f $APP_DLL ]]; then FAILED[$name]="no $APP_DLL"; fi ;;
    nginx) command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || FAILED[$name]="nginx is not installed" ;;
    *) echo "run.sh: unknown server '$name'" >&2; exit 2 ;;
  esac
done
make_webroot
DOTNET_VERSION=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.AspNetCore.App/ { v = $2 } END { print v }')
log "profile $PROFILE, $ROUNDS round(s), ${DURATION}s runs after ${WARMUP}s warm-ups, servers: ${SERVER_LIST[*]}"

if ((SYSCALLS)); then
  log "syscalls and context switches per request (plaintext and pipelined, 64 connections)"
  start_servers 1
  jit_warmup
  for workload in plaintext pipelined; do
    for name in "${SERVER_LIST[@]}"; do measure_syscalls "$workload" "$name"; done
  done
  stop_servers
  mkdir -p "$OUT_DIR"
  "$PY" "$PERF_DIR/report.py" --mode syscalls --results "$RESULTS" --out "$OUT_DIR" --profile "$PROFILE" \
    --duration "$DURATION" --dotnet "${DOTNET_VERSION:-unknown}" --started "$STARTED_AT" --servers "$SERVERS" --build-note "$BUILD_NOTE"
  keep_raw
  log "wrote $OUT_DIR/syscalls.md (strace summaries in $OUT_DIR/raw)"
  exit 0
fi

for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round of $ROUNDS"
  start_servers "$round"
  jit_warmup
  for workload in "${WORKLOAD_LIST[@]}"; do
    for name in "${SERVER_LIST[@]}"; do
      # nginx's configuration has no endpoint that reads a body: the upload profile compares the .NET servers.
      if [[ $workload == upload-20m && $name == nginx ]]; then continue; fi
      if [[ $workload == idle ]]; then measure_idle "$round" "$name"; else measure "$round" "$workload" "$name"; fi
    done
  done
  stop_servers
done

mkdir -p "$OUT_DIR"
"$PY" "$PERF_DIR/report.py" --results "$RESULTS" --out "$OUT_DIR" \
  --profile "$PROFILE" --rounds "$ROUNDS" --duration "$DURATION" --warmup "$WARMUP" \
  --idle-connections "$IDLE_CONNECTIONS" --dotnet "${DOTNET_VERSION:-unknown}" --started "$STARTED_AT" \
  --servers "$SERVERS" --workloads "$WORKLOADS" --quick "$QUICK" --build-note "$BUILD_NOTE" \
  --load "$LOAD_AT_START → $(cut -d ' ' -f 1-3 /proc/loadavg)"
keep_raw
log "wrote $OUT_DIR/latest.md and $OUT_DIR/latest.png (raw outputs in $OUT_DIR/raw)"

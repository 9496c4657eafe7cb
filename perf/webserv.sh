#!/usr/bin/env bash
# perf/webserv.sh — the Webserv host against nginx with the equivalent configuration: static 600 B and 100 KiB files,
# each server on one core (taskset -c 0; one worker / one loop), wrk -t1 -c64 on the other core, rounds in
# alternation, medians; then the static rate while 8 connections keep running a CGI script (python3) back to back.
#
# Usage: perf/webserv.sh [--rounds N] [--duration S] [--no-build] [--out FILE]
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
PROJECT="$REPO_DIR/src/EventCore.Webserv/EventCore.Webserv.csproj"
DLL="$REPO_DIR/src/EventCore.Webserv/bin/Release/net10.0/EventCore.Webserv.dll"
ROUNDS=3 DURATION=10 BUILD=1 OUT="$PERF_DIR/results/webserv.md"
while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --no-build) BUILD=0 ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "webserv.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
# shellcheck source=perf/common.sh
. "$PERF_DIR/common.sh"
[ "$BUILD" = 1 ] && dotnet build "$PROJECT" -c Release -nologo -clp:ErrorsOnly >/dev/null
WORK=$(mktemp -d)
SERVER=""
BLOCKERS=""
trap 'kill $SERVER $BLOCKERS 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
chmod 755 "$WORK" # nginx workers run as an unprivileged user when started by root
mkdir -p "$WORK/www/cgi"
head -c 600 /dev/urandom | base64 -w 0 | head -c 600 >"$WORK/www/static-600.txt"
head -c 102400 /dev/urandom >"$WORK/www/static-100k.bin"
printf '#!/usr/bin/env python3\nprint("Content-Type: text/plain\\r\\n\\r\\nhello from cgi")\n' >"$WORK/www/cgi/hello.py"
chmod -R a+rX "$WORK/www"
PORT=5386
cat >"$WORK/webserv.conf" <<CONF
workers 1;
server {
    listen 127.0.0.1:$PORT;
    root $WORK/www;
    location /cgi/ {
        cgi .py /usr/bin/python3;
    }
}
CONF
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$PORT;
        root $WORK/www;
    }
}
CONF
export DOTNET_TC_CallCountingDelayMs=0 DOTNET_gcServer=1
start() {
  if [ "$1" = webserv ]; then
    taskset -c 0 dotnet "$DLL" "$WORK/webserv.conf" >"$WORK/server-$1.log" 2>&1 &
  else
    taskset -c 0 nginx -c "$WORK/nginx.conf" >"$WORK/server-$1.log" 2>&1 &
  fi
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/static-600.txt" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$1 did not start: $(tail -3 "$WORK/server-$1.log")"; return 1
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; sleep 0.5; }
rate() { # rate FILE NAME
  taskset -c 1 wrk -t1 -c64 -d3s "http://127.0.0.1:$PORT/$1" >/dev/null 2>&1 || true
  taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" "http://127.0.0.1:$PORT/$1" >"$WORK/$2" 2>&1 || true
  awk '/Requests\/sec/ { print $2 }' "$WORK/$2"
  grep -E 'Socket errors|Non-2xx' "$WORK/$2" >&2 || true
}
declare -A RES
for ((r = 1; r <= ROUNDS; r++)); do
  for server in webserv nginx; do
    start "$server"
    RES[$server,600,$r]=$(rate static-600.txt "600-$server-$r")
    RES[$server,100k,$r]=$(rate static-100k.bin "100k-$server-$r")
    if [ "$server" = webserv ]; then
      # 8 connections running the CGI script back to back (a second wrk on the load generator's core: it mostly waits
      # for the scripts, so it takes little from the measuring wrk) while wrk measures the 600 B file again.
      taskset -c 1 wrk -t1 -c8 -d"$((DURATION + 6))s" "http://127.0.0.1:$PORT/cgi/hello.py" >"$WORK/cgi-load-$r" 2>&1 &
      BLOCKERS=$!
      sleep 1
      RES[$server,cgi,$r]=$(rate static-600.txt "cgi-$server-$r")
      # wrk prints its summary when it ends: let it run out (it outlives the measuring wrk by a few seconds), then count.
      wait $BLOCKERS 2>/dev/null || true; BLOCKERS=""
      RES[$server,cgireq,$r]=$(awk '/requests in/ { print $1 }' "$WORK/cgi-load-$r")
      RES[$server,cgireq,$r]=${RES[$server,cgireq,$r]:-0}
    fi
    log "round $r $server: 600 B ${RES[$server,600,$r]}, 100 KiB ${RES[$server,100k,$r]}${RES[$server,cgi,$r]:+, 600 B under CGI load ${RES[$server,cgi,$r]}} req/s"
    stop
  done
done
{
  echo "# Webserv host vs nginx (perf/webserv.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); each server on CPU 0 (one loop / one worker), wrk -t1 -c64 on CPU 1, ${ROUNDS} rounds × ${DURATION} s, alternated; load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| workload | Webserv req/s (median) | nginx req/s (median) | Webserv/nginx (median of rounds) | per round |"
  echo "|---|---:|---:|---:|---|"
  for w in 600 100k; do
    ws=() ng=() ratios=()
    for ((r = 1; r <= ROUNDS; r++)); do
      ws+=("${RES[webserv,$w,$r]}"); ng+=("${RES[nginx,$w,$r]}"); ratios+=("$(ratio "${RES[webserv,$w,$r]}" "${RES[nginx,$w,$r]}")")
    done
    echo "| static $w | $(median "${ws[@]}") | $(median "${ng[@]}") | $(median "${ratios[@]}") | ${ratios[*]} |"
  done
  kept=() scripts=()
  for ((r = 1; r <= ROUNDS; r++)); do
    kept+=("$(ratio "${RES[webserv,cgi,$r]}" "${RES[webserv,600,$r]}")"); scripts+=("${RES[webserv,cgireq,$r]}")
  done
  echo
  echo "Webserv static 600 B while 8 connections run a CGI script back to back: $(median "${kept[@]}") of its rate alone (per round: ${kept[*]}); CGI requests answered per round (in $((DURATION + 6)) s): ${scripts[*]}."
} >"$OUT"
cat "$OUT"

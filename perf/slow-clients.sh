#!/usr/bin/env bash
# perf/slow-clients.sh — slowloris and slow readers against the sample while normal clients run.
#
# Usage: perf/slow-clients.sh [--trickle N] [--nonreaders N] [--interval S] [--headers-timeout S]
#                             [--min-response-rate B/s] [--grace S] [--size BYTES] [--duration S] [--no-build]
#
# Starts samples/MinimalApi on EventCore (127.0.0.1, a free port) with the given limits, measures the normal
# clients' rate alone (wrk, 32 connections, /plaintext, after a warm-up), then again while perf/slow_clients.py
# holds N trickle connections (one head byte every S seconds; default 5,000 every 2 s) and N non-readers (a
# 64 MB response each, never read; default 1,000), and reports the ratio, wrk's errors, when the attackers were
# cut off, and the server's descriptors and RSS. Defaults: the server's own defaults except the ones set here
# (--headers-timeout 10, --min-response-rate 65536 with --grace 5). Writes perf/results/slow-clients.md.
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
TRICKLE=5000 NONREADERS=1000 INTERVAL=2 HEADERS_TIMEOUT=10 MIN_RATE=65536 GRACE=5 SIZE=67108864 DURATION=10 BUILD=1
while (($#)); do
  case "$1" in
    --trickle) TRICKLE=$2; shift ;;
    --nonreaders) NONREADERS=$2; shift ;;
    --interval) INTERVAL=$2; shift ;;
    --headers-timeout) HEADERS_TIMEOUT=$2; shift ;;
    --min-response-rate) MIN_RATE=$2; shift ;;
    --grace) GRACE=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
[ "$BUILD" = 1 ] && dotnet build "$REPO_DIR/samples/MinimalApi/MinimalApi.csproj" -c Release -nologo -clp:ErrorsOnly >/dev/null
ulimit -n 20000
OUT=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$OUT"' EXIT
cd "$REPO_DIR/samples/MinimalApi"
dotnet "$DLL" --urls=http://127.0.0.1:0 --environment=Production \
  --EventCore:Limits:RequestHeadersTimeout=00:00:$(printf %02d "$HEADERS_TIMEOUT") \
  --EventCore:Limits:MinResponseDataRate:BytesPerSecond="$MIN_RATE" \
  --EventCore:Limits:MinResponseDataRate:GracePeriod=00:00:$(printf %02d "$GRACE") >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do grep -q "Now listening on" "$OUT/server.log" && break; sleep 0.2; done
PORT=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$OUT/server.log" | grep -oE '[0-9]+$')
URL="http://127.0.0.1:$PORT/plaintext"
wrk -t1 -c32 -d5s "$URL" >/dev/null
rate() { wrk -t1 -c32 -d"${DURATION}s" "$URL" | tee "$OUT/wrk.$1" | awk '/Requests\/sec/ {print $2}'; }
errors() { grep -E 'Socket errors|Non-2xx' "$OUT/wrk.$1" || echo none; }
BASE=$(rate base)
python3 "$PERF_DIR/slow_clients.py" "$PORT" "$SERVER" "$TRICKLE" "$NONREADERS" "$INTERVAL" 300 "$SIZE" >"$OUT/attack.json" &
ATTACK=$!
# Let the attackers connect before measuring under attack.
for _ in $(seq 1 100); do
  [ "$(ls /proc/$SERVER/fd | wc -l)" -gt $((TRICKLE + NONREADERS / 2)) ] && break; sleep 0.2
done
UNDER=$(rate attack)
FDS_DURING=$(ls /proc/$SERVER/fd | wc -l)
wait $ATTACK
RATIO=$(python3 -c "print(f'{$UNDER / $BASE * 100:.1f}')")
REPORT="$PERF_DIR/results/slow-clients.md"
python3 - "$OUT/attack.json" "$BASE" "$UNDER" "$RATIO" "$(errors base)" "$(errors attack)" "$FDS_DURING" >"$REPORT" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
base, under, ratio, err_base, err_attack, fds_during = sys.argv[2:8]
print("# Slowloris and slow readers (perf/slow-clients.sh)\n")
print(f"{a['trickle']:,} trickle connections, {a['nonreaders']:,} non-readers, normal clients: wrk -t1 -c32 /plaintext\n")
print("| measure | value |\n|---|---|")
for k, v in [("normal rate alone (req/s)", base), ("normal rate under attack (req/s)", under), ("ratio", ratio + " %"),
             ("wrk errors alone", err_base), ("wrk errors under attack", err_attack),
             ("server descriptors idle / during wrk / peak / final", f"{a['idle_fds']} / {fds_during} / {a['peak_fds']} / {a['final_fds']}"),
             ("server RSS idle / peak (MB)", f"{a['idle_rss_mb']} / {a['peak_rss_mb']}"),
             ("trickle answered 408", a['trickle_answered_408']), ("trickle still open at the end", a['trickle_still_open']),
             ("trickle closed from / to (s after start)", f"{a['trickle_closed_first_s']} / {a['trickle_closed_last_s']}"),
             ("every attacker cut off after (s)", a['all_cut_off_s'])]:
    print(f"| {k} | {v} |")
PY
cat "$REPORT"

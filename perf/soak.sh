#!/usr/bin/env bash
# perf/soak.sh — a soak run of the sample on EventCore: 1,000,000+ requests of mixed kinds while its resident
# memory and open descriptors are sampled.
#
# Usage: perf/soak.sh [--rounds N] [--seconds S] [--mixed N] [--no-build]
#
# Each round: wrk keep-alive /plaintext (32 connections) for S seconds, wrk pipelined /plaintext (depth 16) for S
# seconds, then perf/soak_mixed.py with N operations from 8 threads (uploads with Content-Length and chunked
# bodies checked byte for byte, keep-alive bursts, requests aborted mid-head and mid-body by FIN and by RST,
# resets in the middle of 100 MB responses, WebSocket echo). After each round (2 s to settle) the server's
# VmRSS and /proc/PID/fd count are recorded. Defaults: 12 rounds, 8 s, 2,000 operations. Writes
# perf/results/soak.md: requests per round, failures (any wrk socket error or non-2xx, any mixed operation that
# did not behave), RSS and descriptors per round, and the drift from the round where 10 % of the requests were
# done to the end (target: within 20 MB and a handful of descriptors).
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
DLL="$REPO_DIR/samples/MinimalApi/bin/Release/net10.0/MinimalApi.dll"
ROUNDS=12 SECONDS_PER_RUN=8 MIXED=2000 BUILD=1
while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --mixed) MIXED=$2; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
[ "$BUILD" = 1 ] && dotnet build "$REPO_DIR/samples/MinimalApi/MinimalApi.csproj" -c Release -nologo -clp:ErrorsOnly >/dev/null
OUT=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$OUT"' EXIT
cd "$REPO_DIR/samples/MinimalApi"
dotnet "$DLL" --urls=http://127.0.0.1:0 --environment=Production --Logging:LogLevel:Default=Warning \
  --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do grep -q "Now listening on" "$OUT/server.log" && break; sleep 0.2; done
PORT=$(grep -oE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$OUT/server.log" | grep -oE '[0-9]+$')
BASE="http://127.0.0.1:$PORT"
sample() { echo "$(awk '/VmRSS/ {print int($2/1024)}' /proc/$SERVER/status) $(ls /proc/$SERVER/fd | wc -l)"; }
wrk_count() { awk '/requests in/ {print $1}' "$1"; }
wrk_errors() { awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $4} END {print s + 0}' "$1"; }
echo "round requests total failed rss_mb fds" >"$OUT/rounds"
TOTAL=0
for round in $(seq 1 "$ROUNDS"); do
  wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" "$BASE/plaintext" >"$OUT/ka.$round"
  wrk -t1 -c16 -d"${SECONDS_PER_RUN}s" -s "$PERF_DIR/pipeline.lua" "$BASE/plaintext" -- 16 >"$OUT/pl.$round"
  python3 "$PERF_DIR/soak_mixed.py" "$PORT" "$MIXED" "$round" >"$OUT/mixed.$round.json"
  kill -0 $SERVER
  sleep 2
  MIXED_REQ=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['counts'].get('requests', 0))" "$OUT/mixed.$round.json")
  MIXED_FAIL=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['counts']; print(sum(v['failed'] for k, v in c.items() if k != 'requests'))" "$OUT/mixed.$round.json")
  REQ=$(( $(wrk_count "$OUT/ka.$round") + $(wrk_count "$OUT/pl.$round") + MIXED_REQ ))
  FAIL=$(( $(wrk_errors "$OUT/ka.$round") + $(wrk_errors "$OUT/pl.$round") + MIXED_FAIL ))
  TOTAL=$((TOTAL + REQ))
  echo "$round $REQ $TOTAL $FAIL $(sample)" | tee -a "$OUT/rounds"
done
python3 - "$OUT" "$ROUNDS" >"$PERF_DIR/results/soak.md" <<'PY'
import glob, json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = [l.split() for l in open(f"{out}/rounds").read().splitlines()[1:]]
total = int(rows[-1][2])
first = next(r for r in rows if int(r[2]) >= total * 0.1)
kinds = {}
errors = []
for f in sorted(glob.glob(f"{out}/mixed.*.json")):
    data = json.load(open(f))
    errors += data["errors"]
    for k, v in data["counts"].items():
        if k != "requests":
            kinds.setdefault(k, [0, 0]); kinds[k][0] += v["ok"]; kinds[k][1] += v["failed"]
print("# Soak (perf/soak.sh)\n")
print(f"{total:,} requests in {rounds} rounds; failures: {sum(int(r[3]) for r in rows)}\n")
print("| round | requests | total | failed | RSS (MB) | descriptors |\n|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(f"{int(x):,}" for x in r) + " |")
print(f"\nFrom round {first[0]} (10 % of the requests done) to the end: RSS {int(rows[-1][4]) - int(first[4]):+d} MB, "
      f"descriptors {int(rows[-1][5]) - int(first[5]):+d}.\n")
print("| mixed kind | ok | failed |\n|---|---|---|")
for k, (ok, failed) in sorted(kinds.items()):
    print(f"| {k} | {ok:,} | {failed:,} |")
if errors:
    print("\nFirst errors:\n\n" + "\n".join("- " + e for e in errors[:10]))
PY
cat "$PERF_DIR/results/soak.md"

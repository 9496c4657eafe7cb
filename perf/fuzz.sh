#!/usr/bin/env bash
# perf/fuzz.sh — long fuzzing runs of the request-head parser, the chunked decoder, the path decoder and the
# differential fuzzer (EventCore vs Kestrel over loopback). The harness is tests/EventCore.Server.Fuzz.
#
# Usage: perf/fuzz.sh [--target head|chunked|path|differential|all] [--seconds N] [--engine afl|mutate] [--seed N]
#
#   --engine afl     (default) AFL++ over SharpFuzz: installs afl++ (apt-get) and the SharpFuzz.CommandLine tool
#                    (dotnet tool, into perf/.tools), instruments a copy of EventCore.Server.dll, runs afl-fuzz for
#                    N seconds per target (default 600) from the committed corpus, and copies crashes and hangs to
#                    tests/EventCore.Server.Fuzz/Crashers/<target>/ (replayed by ./test.sh from then on).
#   --engine mutate  the harness's own deterministic mutator (no instrumentation, no AFL): N seconds worth of
#                    executions per target, measured at ~10,000/s (differential ~1,500/s).
# Prints each target's executions, paths found, crashes and hangs; findings in docs/fuzzing.md.
set -euo pipefail
PERF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PERF_DIR/.." && pwd)
FUZZ_DIR="$REPO_DIR/tests/EventCore.Server.Fuzz"
TARGETS=all SECONDS_PER_TARGET=600 ENGINE=afl SEED=1
while (($#)); do
  case "$1" in
    --target) TARGETS=$2; shift ;;
    --seconds) SECONDS_PER_TARGET=$2; shift ;;
    --engine) ENGINE=$2; shift ;;
    --seed) SEED=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$TARGETS" = all ] && TARGETS="head chunked path differential"
WORK=$(mktemp -d /tmp/eventcore-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build "$FUZZ_DIR/EventCore.Server.Fuzz.csproj" -c Release -nologo -clp:ErrorsOnly -o "$WORK/bin" >/dev/null

if [ "$ENGINE" = mutate ]; then
  for target in $TARGETS; do
    rate=10000; [ "$target" = differential ] && rate=1500
    (cd "$WORK/bin" && dotnet EventCore.Server.Fuzz.dll mutate "$target" $((SECONDS_PER_TARGET * rate)) "$SEED" "Corpus/$target") || true
    if ls "$WORK/bin/Crashers/$target"/mutate-* >/dev/null 2>&1; then
      mkdir -p "$FUZZ_DIR/Crashers/$target" && cp "$WORK/bin/Crashers/$target"/mutate-* "$FUZZ_DIR/Crashers/$target/"
    fi
  done
  exit 0
fi

command -v afl-fuzz >/dev/null || env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
TOOLS="$PERF_DIR/.tools"
[ -x "$TOOLS/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$TOOLS" >/dev/null
# Only the code under test is instrumented; the harness, the runtime and Kestrel are not.
"$TOOLS/sharpfuzz" "$WORK/bin/EventCore.Server.dll" >/dev/null
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
for target in $TARGETS; do
  out="$WORK/afl-$target"
  # Seeds over 64 KB would be cut by the target anyway; AFL wants them small.
  mkdir -p "$WORK/seeds-$target"
  find "$FUZZ_DIR/Corpus/$target" -type f -size -64k -exec cp {} "$WORK/seeds-$target/" \;
  timeout --kill-after=30 $((SECONDS_PER_TARGET + 60)) nice afl-fuzz -i "$WORK/seeds-$target" -o "$out" -t 10000 -m none \
    -V "$SECONDS_PER_TARGET" -- dotnet "$WORK/bin/EventCore.Server.Fuzz.dll" afl "$target" >"$WORK/afl-$target.log" 2>&1 || true
  stats="$out/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    awk -F' *: *' -v t="$target" '/^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time)/ {printf "%s %s=%s\n", t, $1, $2}' "$stats"
  else
    echo "$target: afl-fuzz did not start; last lines of its log:"; tail -20 "$WORK/afl-$target.log"
  fi
  for kind in crashes hangs; do
    for f in "$out"/default/$kind/id:*; do
      [ -e "$f" ] || continue
      mkdir -p "$FUZZ_DIR/Crashers/$target"
      cp "$f" "$FUZZ_DIR/Crashers/$target/afl-$kind-$(sha1sum "$f" | cut -c1-12)"
    done
  done
done

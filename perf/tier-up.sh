#!/usr/bin/env bash
# perf/tier-up.sh — how fast a brand-new app on the EventCore.Server package reaches its optimized speed, with the
# package's runtime settings (buildTransitive/EventCore.Server.props) and with the runtime's defaults.
#
# Usage: perf/tier-up.sh [--rounds N] [--windows N] [--seconds S]
#   packs src/ into a temporary folder, makes the app as tests/EventCore.Packaging.Tests does (`dotnet new web`,
#   `dotnet add package EventCore.Server`, `builder.WebHost.UseEventCore();`), then per round starts it twice, pinned
#   to CPU 0 (`taskset -c 0`): once as packaged, once with DOTNET_TC_CallCountingDelayMs=100 (the runtime's default,
#   which the environment variable makes win over runtimeconfig.json); from the first answer on it runs N back-to-back
#   wrk windows of S seconds (`taskset -c 1 wrk -t1 -c64`) and prints the k req/s of each. Defaults: 2 rounds,
#   12 windows of 2 s (about 2 minutes). Results and their conditions: docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=2 windows=12 seconds=2
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --windows) windows=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "tier-up.sh: needs wrk (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
app_pid=
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_PACKAGES="$work/nuget"

for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$work/packages" -nologo -v q >/dev/null
done
dotnet new web -o "$work/app" -n HelloEventCore --no-restore >/dev/null
cat > "$work/app/nuget.config" <<CONFIG
<configuration>
  <packageSources><clear /><add key="local" value="$work/packages" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="EventCore.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
CONFIG
(cd "$work/app" && dotnet add package EventCore.Server >/dev/null &&
  sed -i 's/^var builder = WebApplication.CreateBuilder(args);/&\nbuilder.WebHost.UseEventCore();/' Program.cs &&
  dotnet build -c Release -nologo -v q >/dev/null)

port=5599
measure() {
  local label=$1; shift
  (cd "$work/app" && exec env "$@" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
    taskset -c 0 dotnet bin/Release/net10.0/HelloEventCore.dll --urls "http://127.0.0.1:$port") >/dev/null 2>&1 &
  app_pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
  local line="$label:"
  for _ in $(seq 1 "$windows"); do
    line="$line $(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ { printf "%.0f", $2 / 1000 }')"
  done
  kill -TERM "$app_pid"; wait "$app_pid" || true; app_pid=
  echo "$line"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  measure "round $round, package (CallCountingDelayMs 0)"
  measure "round $round, runtime default (100 ms)" DOTNET_TC_CallCountingDelayMs=100
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

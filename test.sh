#!/usr/bin/env bash
# Builds the solution and runs every test project. Installs what the tests need when it is missing.
# Ends with one line: "tests: N passed, M failed" (exit code non-zero on any failure).
set -uo pipefail
cd "$(dirname "$0")"

# Tests that need a service fail instead of skipping when it is absent.
export EVENTCORE_REQUIRE_SERVICES=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_missing() {
  local missing
  missing=$(missing_packages "$@" | xargs)
  [ -z "$missing" ] && return 0
  echo "test.sh: installing $missing"
  # As root there is no sudo to call; `env` carries the variable through sudo as well as without it.
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  # A failed install must fail here, clearly, not as unrelated test failures later.
  missing=$(missing_packages "$@" | xargs)
  if [ -n "$missing" ]; then
    echo "test.sh: FAILED: still missing after the install step: $missing (apt-get as $(id -un)${sudo:+ through sudo})."
    echo "test.sh: the tests need them; install them (apt-get install $missing) and run ./test.sh again."
    summary 0 1
  fi
}

summary() {
  echo "tests: $1 passed, $2 failed"
  [ "$2" -eq 0 ] && [ "$1" -gt 0 ]
  exit $?
}

install_missing curl redis-server chromium php-cgi python3 nginx-light openssl

if ! dotnet build EventCore.AspNet.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "test.sh: build failed"
  summary 0 1
fi

log=$(mktemp)
# A hung test must not hang CI: the whole run is bounded.
timeout --kill-after=30 45m dotnet test --solution EventCore.AspNet.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: dotnet test exited with $status"
  failed=1
fi
rm -f "$log"
summary "$passed" "$failed"

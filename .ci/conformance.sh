#!/usr/bin/env bash
# The official MCP conformance suite (active and pending scenarios) against the product's streamable HTTP transport,
# served by the test-only host tests/Alpacon.Conformance.Host (the product's own server setup plus the suite's
# test_* fixtures, which never ship). Scenarios that cannot pass are listed, with the reason, in
# .ci/conformance-baseline.yml. Node 22 comes from the npm package `node` (the machine has Node 20); npx runs in a
# scratch folder, so no package.json or lock file is written into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$(mkdir -p "${1:-.ci/out/conformance}" && cd "${1:-.ci/out/conformance}" && pwd)
config=${CONFIGURATION:-Release}
host="tests/Alpacon.Conformance.Host/bin/$config/net10.0/Alpacon.Conformance.Host.dll"
[ -f "$host" ] || dotnet build tests/Alpacon.Conformance.Host -c "$config" -nologo -v q

work=$(mktemp -d)
host_pid=
cleanup() { [ -z "$host_pid" ] || kill "$host_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet "$host" --urls "http://127.0.0.1:$port" > "$out/host.log" 2>&1 &
host_pid=$!
timeout 60 bash -c "until curl -sf -o /dev/null http://127.0.0.1:$port/health; do sleep 0.3; done"

cd "$work"
set +e
npx -y -p node@22.23.3 -p @modelcontextprotocol/conformance@0.1.16 -- conformance server --suite all \
  --url "http://localhost:$port/mcp" --expected-failures "$repo/.ci/conformance-baseline.yml" -o "$out/results" \
  > "$out/conformance.log" 2>&1
status=$?
set -e
sed -n '/=== SUMMARY ===/,$p' "$out/conformance.log"
[ "$status" -eq 0 ] || { echo "conformance: failed (exit $status); see $out/conformance.log"; exit "$status"; }
echo "conformance: ok"

#!/usr/bin/env bash
# Real MCP clients against the published server: MCP Inspector CLI over stdio and streamable HTTP, calling one
# tool of every toolset, with the emulator running as a separate process. Node 22 comes from the npm package
# `node` (the machine has Node 20).
set -euo pipefail
server=${1:?usage: external-clients.sh PATH-TO-alpacon-mcp}
server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")
work=$(mktemp -d)
emulator_pid=
http_pid=
cleanup() { for p in $emulator_pid $http_pid; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

inspector() { npx -y -p node@22.23.3 -p @modelcontextprotocol/inspector@2.12.0 -- mcp-inspector --cli "$@"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet run -c Release --no-build --project src/Alpacon.Emulator -- --urls "http://127.0.0.1:$port" > "$work/emulator.log" 2>&1 &
emulator_pid=$!
timeout 60 bash -c "until curl -sf -o /dev/null -H 'Authorization: token=\"alpat-sandbox-admin-7Qm2x9Lk4Rt8Vb3N\"' http://127.0.0.1:$port/api/status/; do sleep 0.3; done"

# A token file written by the product's own CLI, as a user would.
echo "alpat-sandbox-admin-7Qm2x9Lk4Rt8Vb3N" | "$server" add --workspace acme --url "http://127.0.0.1:$port" --config-file "$work/token.json"

echo "-- inspector: tools/list over stdio"
inspector "$server" --config-file "$work/token.json" --method tools/list 2>/dev/null > "$work/tools.json"
python3 - "$work/tools.json" <<'PY'
import json, sys
tools = json.load(open(sys.argv[1]))["tools"]
names = {t["name"] for t in tools}
assert {"servers_list", "server_get", "auth_set_token"} <= names, names
print(f"{len(tools)} tools listed")
PY

# One tool of every toolset, over stdio and HTTP: a read-only one where the toolset has one. Each line is
# "toolset tool name=value...". A toolset added to src/Alpacon.Mcp/Toolsets.cs without a line here fails below.
web01=0e617a7e-4126-521f-af4a-960418890596  # the emulator's seeded web-01 (ids derive from names)
toolset_calls=(
  "auth auth_remove_token region=ap1 workspace=not-configured"  # auth has no read-only tool: removing an absent token changes nothing
  "servers servers_list workspace=acme"
  "metrics get_server_metrics_summary server_id=$web01 workspace=acme"
  "system-info get_os_version server_id=$web01 workspace=acme"
  "events list_events server_id=$web01 workspace=acme"
  "commands list_commands server_id=$web01 workspace=acme"
  "websh websh_sessions_list workspace=acme"
  "webftp webftp_sessions_list workspace=acme"
  "iam iam_users_list workspace=acme"
  "workspace workspace_list"
)
mapfile -t toolsets < <(grep -oE 'Toolset\.Of<[A-Za-z]+>\("[a-z-]+"' src/Alpacon.Mcp/Toolsets.cs | cut -d'"' -f2)
[ "${#toolsets[@]}" -gt 0 ] || { echo "no toolsets found in src/Alpacon.Mcp/Toolsets.cs"; exit 1; }
for t in "${toolsets[@]}"; do
  printf '%s\n' "${toolset_calls[@]}" | grep -q "^$t " || { echo "toolset '$t' has no line in toolset_calls of .ci/external-clients.sh: add one read-only tool call"; exit 1; }
done

# call_tool LINE TARGET...: runs one line of toolset_calls through Inspector and checks the success envelope.
call_tool() {
  local line=${1%%#*}
  shift
  local target=("$@")
  read -r -a words <<< "$line"
  local toolset=${words[0]} tool=${words[1]} args=()
  for kv in "${words[@]:2}"; do args+=(--tool-arg "$kv"); done
  inspector "${target[@]}" --method tools/call --tool-name "$tool" "${args[@]}" 2>/dev/null > "$work/call.json" \
    || { echo "$toolset/$tool failed: $(head -c 600 "$work/call.json")"; return 1; }
  python3 - "$work/call.json" "$toolset" "$tool" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
body = json.loads(result["content"][0]["text"])
assert body["status"] == "success", body
print(f"  {sys.argv[2]}: {sys.argv[3]} ok")
PY
}

echo "-- inspector: one tool of each of ${#toolsets[@]} toolsets over stdio (only that toolset loaded)"
for line in "${toolset_calls[@]}"; do
  call_tool "$line" "$server" --config-file "$work/token.json" --toolsets "${line%% *}"
done

echo "-- inspector: tools/call servers_list over stdio"
inspector "$server" --config-file "$work/token.json" --method tools/call --tool-name servers_list --tool-arg workspace=acme 2>/dev/null > "$work/servers.json"
python3 - "$work/servers.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
body = json.loads(result["content"][0]["text"])
assert body["status"] == "success" and body["workspace"] == "acme", body
assert len(body["data"]) == 24, len(body["data"])
print(f"servers_list returned {len(body['data'])} servers")
PY

echo "-- inspector: execute_command runs on the simulated agent and returns output and exit code"
inspector "$server" --config-file "$work/token.json" --method tools/call --tool-name execute_command \
  --tool-arg server_id=$web01 --tool-arg "command=echo hello from \$(hostname)" --tool-arg workspace=acme 2>/dev/null > "$work/exec.json"
python3 - "$work/exec.json" <<'PY'
import json, sys
body = json.loads(json.load(open(sys.argv[1]))["content"][0]["text"])
data = body["data"]
assert body["status"] == "success" and data["exit_code"] == 0 and data["output"].strip() == "hello from web-01", body
print("execute_command:", data["output"].strip(), "exit", data["exit_code"])
PY

echo "-- inspector: an error is isError (exit 5) with a hint"
set +e
inspector "$server" --config-file "$work/token.json" --method tools/call --tool-name server_get --tool-arg server_id=not-a-uuid 2>/dev/null > "$work/error.json"
code=$?
set -e
[ "$code" -eq 5 ] || { echo "expected exit 5 for an isError result, got $code"; exit 1; }
grep -q '\\"hint\\"' "$work/error.json"
echo "-- inspector: tools/call servers_list over streamable HTTP"
http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$server" --transport http --port "$http_port" --config-file "$work/token.json" > "$work/http.log" 2>&1 &
http_pid=$!
timeout 30 bash -c "until curl -sf -o /dev/null http://127.0.0.1:$http_port/health; do sleep 0.2; done"
inspector "http://127.0.0.1:$http_port/mcp" --transport http --method tools/call --tool-name servers_list --tool-arg workspace=acme 2>/dev/null > "$work/http.json"
python3 -c 'import json,sys; b=json.loads(json.load(open(sys.argv[1]))["content"][0]["text"]); assert len(b["data"])==24, b; print("HTTP servers_list:", len(b["data"]), "servers")' "$work/http.json"
echo "-- inspector: one tool of each toolset over streamable HTTP"
for line in "${toolset_calls[@]}"; do
  call_tool "$line" "http://127.0.0.1:$http_port/mcp" --transport http
done
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example.com' "http://127.0.0.1:$http_port/mcp")
[ "$status" = 403 ] || { echo "DNS-rebinding protection: expected 403 for a foreign Host, got $status"; exit 1; }

echo "external clients: ok"

#!/usr/bin/env bash
# The whole test suite: unit tests, emulator tests and end-to-end MCP tests (stdio, HTTP) on 127.0.0.1.
# Extra arguments go to `dotnet test` (e.g. --filter ServerTools).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet test AlpaconMcp.slnx "$@"

#!/usr/bin/env bash
# Regenerates README.md's tool reference: the output of `alpacon-mcp tools --markdown`, put between the
# <!-- tools:start ... --> and <!-- tools:end --> markers. ReadmeToolTableTests fails until this is run
# after a tool, a toolset or a description changes.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(mktemp)
trap 'rm -f "$table"' EXIT
dotnet run --project src/Alpacon.Mcp -v q -- tools --markdown > "$table"
python3 - "$table" <<'PY'
import re, sys
table = open(sys.argv[1], encoding="utf-8").read().strip("\n")
readme = open("README.md", encoding="utf-8").read()
pattern = re.compile(r"(<!-- tools:start[^\n]*-->).*?(<!-- tools:end -->)", re.S)
if not pattern.search(readme):
    sys.exit("README.md has no <!-- tools:start --> ... <!-- tools:end --> markers")
open("README.md", "w", encoding="utf-8").write(pattern.sub(lambda m: m.group(1) + "\n" + table + "\n" + m.group(2), readme, count=1))
print("README.md: tool table updated")
PY

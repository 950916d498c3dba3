#!/usr/bin/env bash
# The whole flow on the bundled TAO DetectNet_v2 sample against the local Azure test bed,
# running dist/index.js the way the runner does. Writes its results to demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
npx tsx scripts/demo.ts "$@"

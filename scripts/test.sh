#!/usr/bin/env bash
# Runs every test: actionlint on the workflows, unit tests, then the integration tests against the local Azure test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
bash scripts/lint-workflows.sh
npx jest --selectProjects unit
npx jest --selectProjects integration --runInBand

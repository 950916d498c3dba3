#!/usr/bin/env bash
# Runs every test: actionlint on the workflows, unit tests, the integration tests against the local Azure
# test bed, then the reliability suite (issue 12; it exits non-zero when a target is missed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
bash scripts/lint-workflows.sh
npx jest --selectProjects unit --forceExit
npx jest --selectProjects integration --runInBand --forceExit
# Faults, bad inputs, hostile answers, SIGTERM and races against 3 test beds; sized for a 2-core runner
# (~20 min): at least 150 faults must be met, and a case of the fixed corpora skipped by the deadline
# is a missed target. Writes reports/reliability.json.
RELIABILITY_BEDS="${RELIABILITY_BEDS:-3}" RELIABILITY_FAULTS="${RELIABILITY_FAULTS:-175}" RELIABILITY_DELAYS="${RELIABILITY_DELAYS:-3}" \
  RELIABILITY_SIGTERMS="${RELIABILITY_SIGTERMS:-4}" RELIABILITY_MAX_MINUTES="${RELIABILITY_MAX_MINUTES:-19}" npm run reliability

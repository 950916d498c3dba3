#!/usr/bin/env bash
# Runs every test: actionlint on the workflows, unit tests, the integration tests against the local Azure
# test bed, then the reliability suite (issue 12; it exits non-zero when a target is missed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh
bash scripts/lint-workflows.sh
npx jest --selectProjects unit
npx jest --selectProjects integration --runInBand
# Faults, bad inputs, hostile answers, SIGTERM and races against 3 test beds (about 18 minutes on 2
# cores): at least 150 faults must be injected, and a corpus case skipped by the deadline is a missed
# target. Writes reports/reliability.json.
RELIABILITY_BEDS="${RELIABILITY_BEDS:-3}" RELIABILITY_FAULTS="${RELIABILITY_FAULTS:-170}" RELIABILITY_DELAYS="${RELIABILITY_DELAYS:-3}" \
  RELIABILITY_SIGTERMS="${RELIABILITY_SIGTERMS:-6}" RELIABILITY_MAX_MINUTES="${RELIABILITY_MAX_MINUTES:-35}" npm run reliability

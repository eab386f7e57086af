#!/usr/bin/env bash
# Reproduce docs/worked-example.md: import the fake SSDA903 return in ../shared/data/qlac-903-fake
# and audit it against the Care Planning Regulations 2010 (reg 33 reviews), as at the end of the
# return's collection year, with the QA report (a page and a workbook).
# Usage: bash scripts/worked-example.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
data=../shared/data/qlac-903-fake
.venv/bin/policyc import ssda903 "$data" --out "$out/events.csv" --children-out "$out/children.csv"
.venv/bin/policyc audit --policy policies/national/care-planning-regulations-2010.policy \
  --events "$out/events.csv" --children "$out/children.csv" \
  --format md --out "$out/audit.md" --report "$out/report" --no-progress
echo "audit written to $out/audit.md; report in $out/report"

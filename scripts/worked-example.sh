#!/usr/bin/env bash
# Reproduce docs/worked-example.md: import the fake SSDA903 return in ../shared/data/qlac-903-fake
# and audit it against the Care Planning Regulations 2010 (reg 33 reviews), as at the end of the
# return's collection year, with the QA report (a page and a workbook), and take the page's monthly
# chart out as docs/worked-example-chart.svg shows it.
# Usage: bash scripts/worked-example.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
data=../shared/data/qlac-903-fake
.venv/bin/policyc import ssda903 "$data" --out "$out/events.csv" --children-out "$out/children.csv"
.venv/bin/policyc audit --policy policies/national/care-planning-regulations-2010.policy \
  --events "$out/events.csv" --children "$out/children.csv" \
  --format md --out "$out/audit.md" --report "$out/report" --no-progress
# the monthly chart of the page, as the file docs/worked-example.md shows (docs/worked-example-chart.svg)
.venv/bin/python - "$out/report/audit-report.html" "$out/worked-example-chart.svg" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
start = page.index("<svg", page.index('<figure id="by-month">'))
svg = page[start:page.index("</svg>", start) + len("</svg>")]
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + svg + "\n")
PY
echo "audit written to $out/audit.md; report in $out/report; chart in $out/worked-example-chart.svg"

"""The benchmark's hand-written pandas checker of three rules (benchmarks/pandas_checker.py) gives the
same rows as `policyc audit` on those rules, on histories from the benchmark's own generator: so the
speed comparison in benchmarks/audit_bench.py compares like with like."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from audit_samples import write_policy

from compiler.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import audit_bench  # noqa: E402
import pandas_checker  # noqa: E402


def _key(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    def text(v: object) -> str:
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v) or v is pd.NA:
            return ""
        if isinstance(v, float):  # an integer column with gaps, as pandas reads it
            return str(int(v))
        return str(v)[:10] if hasattr(v, "year") else str(v)

    return sorted(tuple(text(v) for v in row) for row in frame[pandas_checker.COLUMNS].itertuples(index=False))


@pytest.mark.parametrize("seed", [20261123, 7])
def test_pandas_checker_gives_policycs_rows(tmp_path: Path, seed: int) -> None:
    policy = write_policy(tmp_path / "three-rules.policy", pandas_checker.THREE_RULES)
    events, children = audit_bench.generate(audit_bench.load_policy(policy), 400, 20_000, tmp_path / "data", seed=seed)
    out = tmp_path / "rows.parquet"
    assert main(["audit", "--policy", str(policy), "--events", str(events), "--children", str(children),
                 "--out", str(out), "--no-progress"]) == 0
    ours = pq.read_table(out).to_pandas()
    theirs = pandas_checker.check(pandas_checker.read_events(events))
    assert set(ours["outcome"]) >= {"met", "met_late", "overdue", "pending", "discharged"}  # every outcome occurs
    assert set(ours["obligation"]) == {"first_cla_review", "cla_visits", "cin_visits"}
    assert len(ours) > 5_000
    assert _key(theirs) == _key(ours)

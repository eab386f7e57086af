"""The pipeline's layers: every module imports only from its own stage or an earlier one.

    dsl < compiler.model < compiler.graph < compiler.analyses < compiler.emitters
        < compiler.adapters < compiler.audit < compiler.build < compiler.lsp < compiler.cli

The test reads every module's imports with `ast` (including imports inside functions), so a
backward import anywhere fails it with the module, the line and the stages involved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("dsl", "compiler.model", "compiler.graph", "compiler.analyses", "compiler.emitters",
          "compiler.adapters", "compiler.audit", "compiler.build", "compiler.lsp", "compiler.cli")


def stage_of(module: str) -> int | None:
    best = None
    for i, stage in enumerate(STAGES):
        if module == stage or module.startswith(stage + "."):
            best = i
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> list[Path]:
    return sorted(p for pkg in ("dsl", "compiler") for p in (ROOT / pkg).rglob("*.py"))


def imports_of(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
            # `from compiler.model import ir` names a submodule: judge it too
            out.extend((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)
    return out


def test_every_module_belongs_to_a_stage():
    strays = [module_name(p) for p in project_modules()
              if module_name(p) not in ("compiler",) and stage_of(module_name(p)) is None]
    assert strays == [], f"modules outside the pipeline's stages: {strays}"


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path: Path):
    here = stage_of(module_name(path))
    if here is None:
        return
    backwards = []
    for name, line in imports_of(path):
        there = stage_of(name)
        if there is not None and there > here:
            backwards.append(f"{path.relative_to(ROOT)}:{line} imports {name} "
                             f"({STAGES[there]} comes after {STAGES[here]})")
    assert backwards == []


def test_the_check_sees_a_backward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from compiler.cli.common import usage_error\n", encoding="utf-8")
    assert [stage_of(n) for n, _ in imports_of(bad)] == [STAGES.index("compiler.cli")] * 2

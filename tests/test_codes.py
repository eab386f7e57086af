"""The diagnostics catalogue: every code is declared once. `CODES` is a dict, so a code declared
twice would silently keep only the later meaning; read the catalogue's source to catch it."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from dsl.codes import CODES

SOURCE = Path(__file__).resolve().parent.parent / "dsl" / "codes.py"


def declared_codes() -> list[str]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Code"
            and node.args and isinstance(node.args[0], ast.Constant)]


def test_every_code_is_declared_once():
    codes = declared_codes()
    assert len(codes) > 50
    assert [code for code, n in Counter(codes).items() if n > 1] == []
    assert set(codes) == set(CODES)

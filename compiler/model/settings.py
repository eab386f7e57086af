"""Project settings: `[tool.policyc]` in the nearest pyproject.toml.

    [tool.policyc]
    source-dir = "../shared/seeds"   # where the source documents are, relative to pyproject.toml

The project root (the folder of that pyproject.toml) is where `policyc build` reads
policies/ and writes generated/, docs/ and mkdocs.yml.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    root: Path | None
    source_dir: Path | None


def find_project_root(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for d in [here, *here.parents]:
        p = d / "pyproject.toml"
        if p.is_file():
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                continue
            if "policyc" in data.get("tool", {}):
                return d
    return None


def load_settings(start: Path | None = None) -> Settings:
    root = find_project_root(start)
    if root is None:
        return Settings(None, None)
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["policyc"]
    source = data.get("source-dir")
    return Settings(root, (root / source).resolve() if source else None)

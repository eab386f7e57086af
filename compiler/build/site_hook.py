"""An mkdocs hook (named in mkdocs.yml) that joins the generated pages to the hand-written ones.

The hand-written pages are in docs/ and their navigation is in mkdocs.yml; `policyc build` writes the
generated pages under generated/site/ with their navigation in generated/site/nav.json. At build
time this hook adds every file under generated/site/ to the site (at the same path relative to
generated/site/ as it would have under docs/), appends nav.json to the navigation, and puts the
table of documents (documents.md) into the home page between its markers. Nothing is
copied and nothing is written outside mkdocs' own output folder. Only mkdocs imports this module.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from compiler.emitters.site import splice_documents

GENERATED_SITE = Path("generated") / "site"
NAV = "nav.json"
DOCUMENTS = "documents.md"  # spliced into the home page between its markers, not a page of its own


def _folder(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent / GENERATED_SITE


def on_config(config: Any) -> Any:
    nav_file = _folder(config) / NAV
    if not nav_file.is_file():
        raise SystemExit(f"{nav_file} is missing: run `policyc build` first")
    config.nav = [*(config.nav or []), *json.loads(nav_file.read_text(encoding="utf-8"))]
    return config


def on_files(files: Files, config: Any) -> Files:
    folder = _folder(config)
    for here, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(here) / name
            rel = path.relative_to(folder).as_posix()
            if rel in (NAV, DOCUMENTS) or path.is_symlink():
                continue
            files.append(File(rel, str(folder), config.site_dir, config.use_directory_urls))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if page.file.src_uri != "index.md":
        return markdown
    return splice_documents(markdown, (_folder(config) / DOCUMENTS).read_text(encoding="utf-8"))

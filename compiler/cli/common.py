"""What every sub-command shares: the version, the source folders, the usage-error exit."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from importlib import metadata
from pathlib import Path

from compiler.model.ir import Policy
from compiler.model.settings import load_settings

# citations that cannot be verified do not change what a policy says, so they do not stop a comparison
_CITATION_CODES = frozenset({"E301", "E304"})


def version() -> str:
    try:
        return metadata.version("policyc")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def source_dirs(args: argparse.Namespace) -> list[Path]:
    dirs = [Path(d) for d in (getattr(args, "source_dir", None) or [])]
    settings = load_settings()
    if settings.source_dir is not None:
        dirs.append(settings.source_dir)
    return dirs


def iso_date(text: str) -> dt.date:
    """An argparse type: a YYYY-MM-DD date, or a usage error that says how to write one."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date: write YYYY-MM-DD") from None


def usage_error(message: str) -> int:
    print(f"policyc: error: {message}", file=sys.stderr)
    return 2


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, `..`, or a hard link to an existing file)."""
    try:
        if a.exists() and b.exists():
            return a.samefile(b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def clashing_outputs(inputs: dict[str, Path | None], outputs: dict[str, Path | None]) -> str | None:
    """Why these outputs may not be written (one would overwrite an input, or two are one file), or None.
    Keys are how the user named each file (`--out`, `the census`)."""
    given_out = [(k, p) for k, p in outputs.items() if p is not None]
    for name, path in given_out:
        for what, source in inputs.items():
            if source is not None and _same_file(path, source):
                return f"{name} {path} is {what}: it would be overwritten; write the output elsewhere"
    for i, (name, path) in enumerate(given_out):
        for other, path2 in given_out[i + 1:]:
            if _same_file(path, path2):
                return f"{name} and {other} are the same file ({path}): give each its own"
    return None


def load_policies(paths: list[Path], args: argparse.Namespace) -> tuple[list[Policy], int | None]:
    """The policies under `paths`, or an exit code after reporting what stopped them loading."""
    from compiler.analyses.check import check_paths
    from dsl.diagnostics import render_text, summary_line

    result = check_paths(paths, source_dirs(args), analyse=False)
    if result.missing:
        return [], usage_error("no such file or folder: " + ", ".join(result.missing))
    errors = [d for d in result.diagnostics if d.severity.value == "error" and d.code not in _CITATION_CODES]
    if errors:
        sys.stderr.write(render_text(errors, result.sources))
        print(summary_line(errors, len(result.loaded)), file=sys.stderr)
        return [], 1
    if not result.policies:
        return [], usage_error("no policy in " + ", ".join(str(p) for p in paths))
    return result.policies, None


def write_output(text: str, out: str | None) -> int:
    if not out:
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as err:
        return usage_error(f"cannot write {out}: {err.strerror or err}")
    return 0

"""`policyc diff`: what changed between two versions of a policy: obligations tightened, loosened, added,
removed, changed, re-worded, re-cited and renamed, with clauses and quotes.

    policyc diff OLD NEW                 two policy files
    policyc diff --rev REV FILE...       each file against itself at git revision REV (a file new since
                                         REV that `supersedes` another: against that one at REV)
    policyc diff REV1..REV2 [PATH...]    every policy file changed between two revisions (REV1.. is REV1..HEAD)

Old versions are read from git (`compiler.model.revisions`), with the vocabulary of the same
revision. Exits 0 on success, 1 if a policy has errors, 2 on a usage, git or input/output problem.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from compiler.cli.common import load_policies, usage_error, write_output
from compiler.model.ir import Policy


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("diff", help="what changed between two versions of a policy (files or git revisions)",
                       description="What changed between two versions of a policy: `diff OLD NEW`, "
                                   "`diff --rev REV FILE...` or `diff REV1..REV2 [PATH...]`.")
    d.add_argument("args", nargs="*", metavar="ARG", help="OLD NEW; or FILE... with --rev; or REV1..REV2 [PATH...]")
    d.add_argument("--rev", metavar="REV", help="compare each FILE with its version at this git revision")
    d.add_argument("--format", choices=["md", "json"], default="md", help="md: a changelog for release notes")
    d.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    d.add_argument("--source-dir", action="append", metavar="DIR")
    d.set_defaults(func=run)


def _one(path: Path, args: argparse.Namespace, shown: str | None = None) -> tuple[Policy | None, int | None]:
    policies, code = load_policies([path], args)
    if code is not None:
        return None, code
    if len(policies) != 1:
        return None, usage_error(f"{shown or path} holds {len(policies)} policies; give one policy file for each version")
    p = policies[0]
    return (dataclasses.replace(p, path=shown) if shown else p), None


def _is_vocabulary(path: Path | None) -> bool:
    from compiler.model.load import Loader

    loaded = Loader().load(path) if path is not None else None
    return loaded is not None and loaded.ast is not None and loaded.ast.header.kind == "vocabulary"


def run(args: argparse.Namespace) -> int:
    if args.rev is not None:
        if not args.args:
            return usage_error("give the policy files to compare with revision " + args.rev)
        return _against_revision(args)
    if args.args and ".." in args.args[0] and not Path(args.args[0]).exists():
        return _between_revisions(args)
    if len(args.args) != 2:
        return usage_error("give two policy files (OLD NEW), or --rev REV FILE, or REV1..REV2 [PATH...]")
    versions = []
    for path in args.args:
        p, code = _one(Path(path), args)
        if p is None:
            return code or 1
        versions.append(p)
    return _render(args, [(versions[0], versions[1])], [])


def _render(args: argparse.Namespace, pairs: list[tuple[Policy, Policy]], notes: list[str]) -> int:
    from compiler.analyses.changes import diff_policies
    from compiler.emitters.diff import render, to_json

    diffs = [diff_policies(old, new) for old, new in pairs]
    if args.format == "json":
        doc = to_json(diffs[0]) if len(diffs) == 1 and not notes else {
            "diffs": [to_json(d) for d in diffs], "notes": notes}
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        text = "\n".join(render(d, "md") for d in diffs)
        if notes:
            text += ("\n" if text else "") + "\n".join(f"- {n}" for n in notes) + "\n"
    return write_output(text, args.out)


def _against_revision(args: argparse.Namespace) -> int:
    from compiler.model.revisions import RevisionError, in_repository, repository_root, snapshot

    files = [Path(f) for f in args.args]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        return usage_error("no such file: " + ", ".join(missing))
    try:
        root = repository_root(files[0])
        wanted = [in_repository(root, f) for f in files]
        snap = snapshot(root, args.rev)
    except RevisionError as err:
        return usage_error(str(err))
    with snap:
        pairs, notes = [], []
        for f, repo_path in zip(files, wanted, strict=True):
            new, code = _one(f, args)
            if new is None:
                return code or 1
            if snap.path(repo_path) is None and new.supersedes:  # a new version: against the one it supersedes
                repo_path = in_repository(root, f.parent / new.supersedes)
            old_path = snap.path(repo_path)
            if old_path is None:
                notes.append(f"`{repo_path}` did not exist at {args.rev}: every obligation in it is new")
                continue
            old, code = _one(old_path, args, f"{args.rev}:{repo_path}")
            if old is None:
                return code or 1
            pairs.append((old, new))
    return _render(args, pairs, notes)


def _between_revisions(args: argparse.Namespace) -> int:
    from compiler.model.revisions import RevisionError, changed_policies, in_repository, repository_root, snapshot

    first, _, second = args.args[0].partition("..")
    first, second = first or "HEAD", second or "HEAD"
    paths = [Path(p) for p in args.args[1:]] or [Path(".")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return usage_error("no such file or folder: " + ", ".join(missing))
    try:
        root = repository_root(paths[0])
        inside = [in_repository(root, p) for p in paths]
        old_snap, new_snap = snapshot(root, first), snapshot(root, second)
        changed = changed_policies(root, old_snap.commit, new_snap.commit, inside)
    except RevisionError as err:
        return usage_error(str(err))
    with old_snap, new_snap:
        pairs, notes = [], []
        for repo_path in changed:
            old_path, new_path = old_snap.path(repo_path), new_snap.path(repo_path)
            if _is_vocabulary(new_path or old_path):
                notes.append(f"the vocabulary `{repo_path}` changed between {first} and {second}")
                continue
            if old_path is None or new_path is None:
                notes.append(f"`{repo_path}` was {'added' if old_path is None else 'removed'} between {first} and {second}")
                continue
            old, code = _one(old_path, args, f"{first}:{repo_path}")
            new, code2 = _one(new_path, args, f"{second}:{repo_path}") if old is not None else (None, None)
            if old is None or new is None:
                return code or code2 or 1
            pairs.append((old, new))
    if not pairs and not notes:
        sys.stderr.write(f"no policy file changed between {first} and {second}\n")
    return _render(args, pairs, notes)

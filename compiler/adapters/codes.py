"""DfE codes → attribute values, read from the vocabulary's attribute declarations.

An adapter writes each coded data item it reads (SSDA903 `LS`, `PLACE`; CIN census `ReferralSource`,
`PrimaryNeedCode`, `ReasonForClosure`) under an attribute column, as the code the return holds.
`apply_codes` then replaces each code with the value whose `coded as DATASET "CODE"` names it, for
the attribute that is `recorded as DATASET "ITEM"`; there are no code tables in the adapters. A code
no value names is kept as it is and reported (it can meet no condition); an item no attribute
records is kept as codes, and that is reported too. `unreachable_values` lists the values a
dataset can never hold (no code of that dataset names them), so that a condition on them can be
reported before an audit runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from compiler.adapters.ssda903 import AdapterError, ImportResult
from compiler.model.ir import Attribute, AttributeIs, Policy
from compiler.model.load import Loader

#: Each adapter's coded columns: column → the DfE data item it holds.
CODED_ITEMS: dict[str, dict[str, str]] = {
    "ssda903": {"legal_status": "LS", "placement_type": "PLACE"},
    "cin_census": {"referral_source": "ReferralSource", "primary_need": "PrimaryNeedCode",
                   "reason_for_closure": "ReasonForClosure"},
}


def load_vocabulary(path: Path) -> Policy:
    """The vocabulary file at `path`, resolved; AdapterError if it cannot be read or has errors."""
    vocab, diags = Loader().vocabulary(path)
    errors = [d for d in diags if d.severity.value == "error"]
    if vocab is None or errors:
        first = f": {errors[0].message} (line {errors[0].span.line})" if errors else ""
        raise AdapterError(f"{path}: not a usable vocabulary{first}; run `policyc check` on it")
    return vocab


def recorded_by(vocabulary: Policy, dataset: str, item: str) -> Attribute | None:
    """The attribute the vocabulary says is recorded as `dataset "item"`."""
    return next((a for a in vocabulary.attributes.values() if (dataset, item) in a.recorded_as), None)


def apply_codes(result: ImportResult, vocabulary: Policy, dataset: str) -> None:
    """Replace the codes in `result`'s coded columns with the vocabulary's values (in place)."""
    for column, item in CODED_ITEMS[dataset].items():
        attr = recorded_by(vocabulary, dataset, item)
        if attr is None:
            result.notes.append(f"{item} kept as DfE codes in `{column}`: no attribute of the vocabulary is "
                                f"`recorded as {dataset} \"{item}\"`")
            continue
        table = attr.codes(dataset)
        unknown: Counter[str] = Counter()
        for event in result.events:
            code = event.attrs.get(column)
            if not code:
                continue
            value = table.get(code)
            if value is None:
                unknown[code] += 1
            else:
                event.attrs[column] = value
        for code, n in sorted(unknown.items()):
            result.notes.append(f"{item} code `{code}` ({n} event{'' if n == 1 else 's'}) is not `coded as` any value "
                                f"of `{attr.id}` in the vocabulary: kept as the code, so no condition on "
                                f"`{attr.id}` is met by it")


def unreachable_values(vocabulary: Policy, dataset: str) -> dict[str, frozenset[str]]:
    """For each attribute a dataset records: the values no code of that dataset stands for."""
    out: dict[str, frozenset[str]] = {}
    for attr in vocabulary.attributes.values():
        if attr.type != "values" or not any(ds == dataset for ds, _ in attr.recorded_as):
            continue
        coded = set(attr.codes(dataset).values())
        out[attr.id] = frozenset(v.id for v in attr.values if v.id not in coded)
    return out


def never_true(conditions: Iterable[tuple[str, AttributeIs]], vocabulary: Policy, dataset: str) -> list[str]:
    """Messages for (obligation id, condition) pairs that can never hold on `dataset`'s data: every value
    the condition asks for is one the dataset cannot record."""
    unreachable = unreachable_values(vocabulary, dataset)
    out = []
    for ob_id, c in conditions:
        if c.negated or c.attribute not in unreachable:
            continue
        if c.values and all(v in unreachable[c.attribute] for v in c.values):
            out.append(f"`{ob_id}`: `when {c.attribute} is {' or '.join(c.values)}` can never be true on "
                       f"{dataset} data: no {dataset} code stands for "
                       f"{'that value' if len(c.values) == 1 else 'those values'} in the vocabulary")
    return out

"""New stable ids for many features at once, continuing the assessment's numbering."""

from __future__ import annotations

from ..assessment import schema
from ..assessment.store import AssessmentStore


class IdSequence:
    """``S-0042``, ``S-0043``… after the highest id of ``layer_name`` in the store."""

    def __init__(self, store: AssessmentStore, layer_name: str):
        first = store.next_id(layer_name)
        prefix = schema.LAYER_BY_NAME[layer_name].id_prefix or ""
        self._prefix = prefix
        self._number = int(first[len(prefix) :])

    def next(self) -> str:
        value = f"{self._prefix}{self._number:04d}"
        self._number += 1
        return value

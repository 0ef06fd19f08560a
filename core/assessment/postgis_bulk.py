"""Imports into a PostGIS assessment: many features and observations in one transaction (the
PostGIS side of :meth:`.store.AssessmentStore.import_batch`; the database's triggers keep the
history and the audit trail of every row, as for single edits)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ..errors import SiteWatchError
from . import postgis_sql, schema
from .observations import Observation
from .records import AttributeUpdate, FeatureRecord
from .store import WriteCancelled

_STEP_EVERY = 2000
"""Features or observations written between two calls of the progress callback."""


class _Database(Protocol):
    """What the import uses of the PostGIS store it is mixed into."""

    srid: int

    @property
    def location(self) -> str: ...

    def _transaction(self) -> AbstractContextManager[Any]: ...

    def _write(self, cursor: Any, observation: Observation) -> Observation | None: ...


class BulkImport:
    """The import part of the PostGIS store (mixed into ``PostgisStore``)."""

    def import_batch(
        self: _Database,
        records: Sequence[FeatureRecord],
        observations: Sequence[Observation] = (),
        step: Callable[[float], bool] | None = None,
        updates: Sequence[AttributeUpdate] = (),
    ) -> int:
        checked = [o.validated() for o in observations]
        total = max(1, len(records) + len(checked) + len(updates))
        location = self.location

        def advance(done: int) -> None:
            if step is not None and not step(done / total):
                raise WriteCancelled(f"Import cancelled; nothing was written to {location}.")

        replaced = 0
        with self._transaction() as cursor:
            advance(0)
            for done, record in enumerate(records, start=1):
                layer_def = schema.LAYER_BY_NAME[record.layer_name]
                if postgis_sql.find_feature(cursor, layer_def, record.feature_id) is not None:
                    raise SiteWatchError(
                        f"{record.feature_id} already exists in '{record.layer_name}'; nothing was written."
                    )
                postgis_sql.insert_feature(cursor, record, self.srid)
                if done % _STEP_EVERY == 0:
                    advance(done)
            for done, update in enumerate(updates, start=len(records) + 1):
                layer_def = schema.LAYER_BY_NAME[update.layer_name]
                if postgis_sql.find_feature(cursor, layer_def, update.feature_id, lock=True) is None:
                    raise SiteWatchError(
                        f"{update.feature_id} is not in '{update.layer_name}' (deleted?); nothing was written."
                    )
                postgis_sql.update_feature(cursor, layer_def, update.feature_id, self.srid, None, update.attributes)
                if done % _STEP_EVERY == 0:
                    advance(done)
            for done, observation in enumerate(checked, start=len(records) + len(updates) + 1):
                if self._write(cursor, observation) is not None:
                    replaced += 1
                if done % _STEP_EVERY == 0:
                    advance(done)
            advance(total)
        return replaced

"""Other analysts' changes to a shared (PostGIS) assessment, delivered on the UI thread.

The store's :class:`ChangeListener` keeps one idle connection listening to the assessment's
notifications; a socket notifier wakes the UI when one arrives, so nothing polls the server.
Changes arriving together are handed on at once, a moment later, so a burst of remote edits
re-reads the affected structures once. When the server goes away the watcher says so once and
reconnects quietly; after reconnecting everything is re-read (notifications sent meanwhile
were lost with the connection).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.PyQt.QtCore import QObject, QSocketNotifier, QTimer, pyqtSignal

from ...core.assessment import schema
from ...core.assessment.store import AssessmentStore
from ...core.errors import SiteWatchError

if TYPE_CHECKING:  # psycopg2 is imported only once a database assessment is opened
    from ...core.assessment.postgis import PostgisStore
    from ...core.assessment.postgis_listen import ChangeListener, RemoteChange

COALESCE_MS = 100
"""Changes arriving within this long of the first are handed on together."""
RECONNECT_MS = 5000
"""How often a lost listening connection is tried again."""
EVERYTHING = "*"
"""Key of a change standing for "anything may have changed" (after a reconnection)."""
__all__ = ["RemoteChangeWatcher", "changed_by"]


def changed_by(changes: list[RemoteChange]) -> tuple[list[str] | None, set[str]]:
    """(structure ids whose observations or geometry changed — None: any —, contract layers changed)."""
    structure_ids: set[str] = set()
    layers: set[str] = set()
    everything = False
    for change in changes:
        if change.table in schema.LAYER_BY_NAME:
            layers.add(change.table)
        if change.key == EVERYTHING:
            everything = True
        elif change.key and change.table in (schema.OBSERVATIONS.name, schema.STRUCTURES.name):
            structure_ids.add(change.key.split(" ")[0])  # observations: "S-0001 2024-03-01"
    if schema.OBSERVATIONS.name in layers:
        layers.add(schema.OBSERVATION_HISTORY.name)  # replaced and removed rows went there
    return (None if everything else sorted(structure_ids)), layers


class RemoteChangeWatcher(QObject):
    """Watches the open assessment for other sessions' changes (a GeoPackage has none)."""

    changed = pyqtSignal(list)
    """Emitted with the :class:`RemoteChange` list of other sessions' changes."""
    problem = pyqtSignal(str)
    """Emitted once when the listening connection is lost (and reconnection starts)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.store: PostgisStore | None = None
        self.listener: ChangeListener | None = None
        self._notifier: QSocketNotifier | None = None
        self._pending: list[RemoteChange] = []
        self._hand_on = QTimer(self)
        self._hand_on.setSingleShot(True)
        self._hand_on.setInterval(COALESCE_MS)
        self._hand_on.timeout.connect(self._emit_pending)
        self._reconnect = QTimer(self)
        self._reconnect.setInterval(RECONNECT_MS)
        self._reconnect.timeout.connect(self._try_reconnect)

    def watch(self, store: AssessmentStore) -> None:
        """Start listening to ``store`` (nothing to do for a GeoPackage)."""
        self.stop()
        if store.provider != "postgres":
            return
        from ...core.assessment.postgis import PostgisStore

        if not isinstance(store, PostgisStore):
            raise TypeError(f"{store.location} is said to be a PostgreSQL assessment but is not a PostgisStore.")
        self.store = store
        try:
            self._listen(store)
        except SiteWatchError as error:
            self._lost(str(error))

    def stop(self) -> None:
        self._reconnect.stop()
        self._hand_on.stop()
        self._pending = []
        self._drop_listener()
        self.store = None

    def _listen(self, store: PostgisStore) -> None:
        self.listener = store.listen()
        self._notifier = QSocketNotifier(self.listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def _drop_listener(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def _read(self, *_args: object) -> None:
        if self.listener is None:
            return
        try:
            changes = self.listener.poll()
        except SiteWatchError as error:
            self._lost(str(error))
            return
        if changes:
            self._pending.extend(changes)
            if not self._hand_on.isActive():
                self._hand_on.start()

    def _emit_pending(self) -> None:
        changes, self._pending = self._pending, []
        if changes:
            self.changed.emit(changes)

    def _lost(self, reason: str) -> None:
        self._drop_listener()
        if not self._reconnect.isActive():
            self.problem.emit(
                f"Other analysts' changes no longer arrive: {reason} SiteWatch keeps trying to reconnect "
                "and then shows what changed meanwhile."
            )
            self._reconnect.start()

    def _try_reconnect(self) -> None:
        if self.store is None:
            self._reconnect.stop()
            return
        try:
            self._listen(self.store)
        except SiteWatchError:
            return
        self._reconnect.stop()
        from ...core.assessment.postgis_listen import RemoteChange

        self.changed.emit([RemoteChange(name, "RESYNC", EVERYTHING, None, "", 0) for name in schema.LAYER_BY_NAME])

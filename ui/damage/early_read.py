"""The structures and compounds of the Damage panel's first computation, read as soon as an
assessment opens: on a thread of their own while the review reads the observations (2 s at
country scale), instead of after it. The computation waits for this read and uses it."""

from __future__ import annotations

import threading

from qgis.core import QgsCoordinateTransformContext, QgsFeedback, QgsVectorLayer
from qgis.PyQt.QtCore import QObject

from ...core.assessment import schema
from ...core.assessment.store import AssessmentStore
from ...core.damage.site_cache import SiteCache
from ...core.damage.structure_read import StructureSide, read_structure_side
from ...core.errors import SiteWatchError
from ..assessment.session import AssessmentSession


class EarlyRead:
    """One read of the structures and compounds layers of ``store``, under way on its thread."""

    def __init__(self, store: AssessmentStore):
        self.store = store
        self.cache = SiteCache()
        """Filled by the read (the footprints): the panel's cache from then on."""
        self.feedback = QgsFeedback()
        names = (schema.STRUCTURES.name, schema.COMPOUNDS.name)
        self._layers = worker_layers(store, {name: store.layer_uri(name) for name in names})
        self._side: StructureSide | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sitewatch-damage-structures")
        self._thread.start()

    def _run(self) -> None:
        try:
            structures, compounds = (self._layers[name] for name in (schema.STRUCTURES.name, schema.COMPOUNDS.name))
            self._side = read_structure_side(structures, compounds, self.feedback, self.cache)
        except (SiteWatchError, RuntimeError, OSError, ValueError, IndexError, MemoryError):
            self._side = None  # the computation reads the layers again and says what is wrong
        finally:
            self._done.set()

    def side(self) -> StructureSide | None:
        """The read, once done (waits for it: called on the computation's thread); None when it
        failed or was cancelled."""
        self._done.wait()
        return self._side

    def cancel(self) -> None:
        self.feedback.cancel()

    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()


class EarlyReads(QObject):
    """Starts an :class:`EarlyRead` when the session is about to announce an open assessment and
    gives it to the panel's first computation, unless the assessment changed or closed since."""

    def __init__(self, session: AssessmentSession):
        super().__init__(session)
        self.session = session
        self._read: EarlyRead | None = None
        self._retired: list[EarlyRead] = []
        """Cancelled reads whose thread may still run: kept here so that their layers are
        deleted on this (the main) thread, never by the worker dropping the last reference."""
        session.opening.connect(self._start)
        session.closed.connect(self.forget)

    def _start(self, store: AssessmentStore) -> None:
        self.forget()
        self._read = EarlyRead(store)

    def take(self, store: AssessmentStore, cache: SiteCache, whole: bool) -> tuple[SiteCache, EarlyRead | None]:
        """For a computation of the ``whole`` site: the read of ``store`` (given once) and the
        cache it filled; else (or without one) ``cache`` and None."""
        read, self._read = self._read, None
        if read is not None and (read.store is not store or not whole):
            self._retire(read)
            read = None
        return (cache, None) if read is None else (read.cache, read)

    def forget(self, *_args: object) -> None:
        """The layers may hold other structures now (or the assessment closed): drop the read."""
        if self._read is not None:
            self._retire(self._read)
            self._read = None

    def _retire(self, read: EarlyRead) -> None:
        read.cancel()
        self._retired = [kept for kept in self._retired if kept.running()] + [read]

    def unload(self) -> None:
        """Stop following the session, once every read started has stopped (cancelled: they
        end at their next check)."""
        self.forget()
        for read in self._retired:
            read.join()
        self._retired = []
        self.session.opening.disconnect(self._start)
        self.session.closed.disconnect(self.forget)


def worker_layers(store: AssessmentStore, uris: dict[str, str]) -> dict[str, QgsVectorLayer]:
    """Read-only layers of ``uris`` (name → URI) for a worker thread to read. Made on the main
    thread: making OGR layers on the worker while the main thread opens the same GeoPackage
    deadlocked (provider lock vs the GIL)."""
    options = QgsVectorLayer.LayerOptions(QgsCoordinateTransformContext())
    options.loadDefaultStyle = False
    options.skipCrsValidation = True
    options.forceReadOnly = True
    return {name: QgsVectorLayer(uri, name, store.provider, options) for name, uri in uris.items()}

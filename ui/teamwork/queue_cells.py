"""The review queue's "Cells" filter: my cells, or cells to review (:mod:`core.teamwork.queue`)."""

from __future__ import annotations

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QComboBox

from ...core.errors import SiteWatchError
from ...core.teamwork.queue import CELL_FILTERS, structures_for
from .. import settings
from ..annotation.controller import AnnotationController

ANY = "Any"


def cell_filter_combo() -> QComboBox:
    """Any / My cells / To review."""
    combo = QComboBox()
    combo.addItem(ANY, None)
    for code, label in CELL_FILTERS.items():
        combo.addItem(label, code)
    combo.setToolTip(
        "My cells: structures of the work cells assigned to you and in progress. To review: structures of "
        "the cells awaiting a review by someone other than their analyst"
    )
    return combo


def cell_structures(controller: AnnotationController, which: str | None) -> frozenset[str] | None:
    """The structures the filter ``which`` keeps (None: any); on a read failure the analyst is
    told and the filter keeps nothing rather than everything."""
    store = controller.store
    if which is None or store is None:
        return None
    try:
        return structures_for(store, which, settings.analyst_name())
    except SiteWatchError as error:
        controller.message.emit(str(error), Qgis.MessageLevel.Warning)
        return frozenset()

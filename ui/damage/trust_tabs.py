"""The Damage panel's tabs: the compound table and chart, the site's History and the Accuracy
against a validation; the History follows the same assessment changes as the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qgis.PyQt.QtWidgets import QTabWidget, QWidget

from .accuracy_view import AccuracyView
from .history_view import HistoryView

if TYPE_CHECKING:
    from .dock import DamageDock


def add_trust_tabs(dock: DamageDock, compounds: QWidget) -> QTabWidget:
    """Tabs holding ``compounds`` (the existing table and chart), History and Accuracy; the
    views are kept on the dock as ``history_view`` and ``accuracy_view``."""
    tabs = QTabWidget()
    tabs.addTab(compounds, "Compounds")
    dock.history_view = HistoryView(dock.context)
    dock.accuracy_view = AccuracyView(dock.context, lambda: dock.after_edit.text())
    for view, title in ((dock.history_view, "History"), (dock.accuracy_view, "Accuracy")):
        # an explicit minimum overrides the page's own: a tab widget is as tall as its tallest
        # page needs, and these pages must never squeeze the Compounds tab's buttons off the dock
        view.setMinimumSize(1, 1)
        tabs.addTab(view, title)
    return tabs

"""The SiteWatch plugin shell: toolbar, menu, Processing provider and interface parts."""

from __future__ import annotations

from typing import TypeVar

from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.gui import QgisInterface
from qgis.PyQt.QtWidgets import QDockWidget, QMenu

from .processing.provider import SiteWatchProvider
from .ui.annotation.part import AnnotationPart
from .ui.annotation.review_tool import REVIEW_KEYS
from .ui.assessment.actions import AssessmentActions
from .ui.assessment.session import AssessmentSession
from .ui.compare.side_states import SideStates
from .ui.compare.tool import KEYS as COMPARE_KEYS
from .ui.context import InterfacePart, PluginContext
from .ui.damage.part import DamagePanel
from .ui.dock_layout import FitOnGrowth
from .ui.export.action import ExportAction
from .ui.export.series_action import ImageSeriesAction
from .ui.imagery.part import ImageryPart
from .ui.importing.part import ImportPart
from .ui.messages import notify
from .ui.panel_keys import PANEL_PREFIX, CompareKeys, PanelKeys, sitewatch_tool_keys
from .ui.scoring.change_score_action import ChangeScoreAction
from .ui.teamwork.part import CellsPart

INTERFACE_PARTS = (
    AssessmentActions,
    ImportPart,
    ImageryPart,
    ChangeScoreAction,
    AnnotationPart,
    DamagePanel,
    CellsPart,
    ExportAction,
    ImageSeriesAction,
)
"""Each part adds its actions, docks and tools; listed in toolbar order."""

TOOLBAR_NAME = "SiteWatchToolbar"
MENU_NAME = "SiteWatchMenu"
Part = TypeVar("Part", bound=InterfacePart)


class SiteWatchPlugin:
    def __init__(self, iface: QgisInterface):
        # No GUI work here: qgis_process loads the plugin without a window.
        self.iface = iface
        self.provider: SiteWatchProvider | None = None
        self.context: PluginContext | None = None
        self.parts: list[InterfacePart] = []
        self.panel_keys: PanelKeys | None = None
        self.dock_fitter: FitOnGrowth | None = None
        self.side_states: SideStates | None = None

    def initProcessing(self) -> None:
        if self.provider is None:
            self.provider = SiteWatchProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()
        window = self.iface.mainWindow()
        toolbar = self.iface.addToolBar("SiteWatch")
        toolbar.setObjectName(TOOLBAR_NAME)
        menu = QMenu("&SiteWatch", window.menuBar())
        menu.setObjectName(MENU_NAME)
        window.menuBar().addMenu(menu)
        self.context = PluginContext(self.iface, AssessmentSession(QgsProject.instance()), toolbar, menu)
        self.parts = [part(self.context) for part in INTERFACE_PARTS]
        # The compare keys (B, A, S, F, [, ]) keep working while drawing or reviewing.
        # N / P put the structure in the middle of the swipe's after side.
        comparison = self._part(ImageryPart).comparison
        self._part(AnnotationPart).zoom.comparison = comparison
        # Each side of the comparison draws the structures' states at its own image's date.
        self.side_states = SideStates(self._part(AnnotationPart).controller)
        comparison.set_side_states(self.side_states)
        compare_keys = CompareKeys(self._part(ImageryPart).tool, self._notify)
        self._part(AnnotationPart).forward_other_keys(compare_keys, COMPARE_KEYS)
        # SiteWatch's keys act wherever the focus is in the map or a SiteWatch panel.
        self.panel_keys = PanelKeys(
            self.iface.mapCanvas(), sitewatch_tool_keys, COMPARE_KEYS, compare_keys, REVIEW_KEYS, self._notify
        )
        for dock in window.findChildren(QDockWidget):
            if dock.objectName().startswith(PANEL_PREFIX):
                self.panel_keys.watch(dock)
        comparison.side_by_side_opened.connect(self.panel_keys.watch)  # its before map too
        self.dock_fitter = FitOnGrowth(window)
        # The review queue dock runs the toolbar's own Score changes action.
        self._part(AnnotationPart).offer_change_score(self._part(ChangeScoreAction).action)

    def _notify(self, text: str, level: Qgis.MessageLevel) -> None:
        notify(self.iface, text, level, 4)

    def _part(self, kind: type[Part]) -> Part:
        return next(part for part in self.parts if isinstance(part, kind))

    def unload(self) -> None:
        if self.dock_fitter is not None:
            self.dock_fitter.unload()
            self.dock_fitter.deleteLater()
            self.dock_fitter = None
        if self.side_states is not None:
            self._part(ImageryPart).comparison.set_side_states(None)
            self.side_states.unload()
            self.side_states = None
        if self.panel_keys is not None:
            self.panel_keys.unload()
            self.panel_keys.deleteLater()
            self.panel_keys = None
        for part in reversed(self.parts):
            part.unload()
        self.parts = []
        if self.context is not None:
            self.context.session.unload()
            window = self.iface.mainWindow()
            window.menuBar().removeAction(self.context.menu.menuAction())
            self.context.menu.deleteLater()
            window.removeToolBar(self.context.toolbar)
            self.context.toolbar.deleteLater()
            self.context = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

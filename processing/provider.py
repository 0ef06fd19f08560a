"""The SiteWatch Processing provider: it only lists the algorithms."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithm import ICON_DIR
from .algorithms.change_score import ChangeScore
from .algorithms.compound_damage import CompoundDamage
from .algorithms.create_assessment import CreateAssessment
from .algorithms.export_report import ExportReport
from .algorithms.import_damage import ImportDamage
from .algorithms.import_structures import ImportStructures

ALGORITHMS = (CreateAssessment, ChangeScore, CompoundDamage, ExportReport, ImportStructures, ImportDamage)


class SiteWatchProvider(QgsProcessingProvider):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
    def id(self) -> str:
        return "sitewatch"

    def name(self) -> str:
        return "SiteWatch"

    def longName(self) -> str:
        return "SiteWatch — damage assessment of sites over time"

    def icon(self) -> QIcon:
        return QIcon(str(ICON_DIR / "sitewatch.svg"))

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())

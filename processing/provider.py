"""The SiteWatch Processing provider: it only lists the algorithms."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithm import ICON_DIR
from .algorithms.accuracy import Accuracy
from .algorithms.adopt_assessment import AdoptAssessment
from .algorithms.cell_state import CellState
from .algorithms.change_score import ChangeScore
from .algorithms.compound_damage import CompoundDamage
from .algorithms.copy_assessment import CopyAssessment
from .algorithms.create_assessment import CreateAssessment
from .algorithms.export_report import ExportReport
from .algorithms.image_series import ImageSeries
from .algorithms.import_damage import ImportDamage
from .algorithms.import_structures import ImportStructures
from .algorithms.site_history import SiteHistoryAlgorithm
from .algorithms.validation_sample import ValidationSample
from .algorithms.work_cells import WorkCells

ALGORITHMS = (
    CreateAssessment,
    ChangeScore,
    CompoundDamage,
    ExportReport,
    CopyAssessment,
    AdoptAssessment,
    ImportStructures,
    ImportDamage,
    ValidationSample,
    Accuracy,
    SiteHistoryAlgorithm,
    WorkCells,
    CellState,
    ImageSeries,
)


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

"""sitewatch:imageseries — the image series over an extent with the status overlay and date
labels, as PNG frames and an animated GIF for publication."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from ...core.errors import SiteWatchError
from ...core.export.series.publish import write_series
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import AssessmentParameter
from .validation_algorithms import store_of


class ImageSeries(SiteWatchAlgorithm):
    NAME = "imageseries"
    DISPLAY_NAME = "Image series (GIF and PNG frames)"
    GROUP = "Reporting"
    GROUP_ID = "reporting"
    HELP = (
        "Renders every dated image registered in the assessment over one extent, oldest first, with the "
        "structures in the standard status colours of their status at that image's date (absent structures "
        "hidden, structures not yet observed as a grey dashed outline), the date and source in a label at "
        "the top left and a legend of the statuses drawn along the bottom. Writes one PNG per date "
        "(series_01_<date>.png, …) and series.gif, which shows them in turn and loops."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": "the assessment (a GeoPackage or a PostGIS location).",
        "EXTENT": "the area to show (default: the site's structures and compounds with a 10 % margin).",
        "FRAME_SECONDS": "how long the GIF shows each date, in seconds (default 1).",
        "SIZE": "the width of the frames in pixels (default 1000; the height follows the extent).",
        "OUTPUT": "the folder the frames and series.gif are written into (files of the same names are replaced).",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterExtent("EXTENT", "Extent", optional=True))
        self.addParameter(
            QgsProcessingParameterNumber(
                "FRAME_SECONDS", "Seconds per frame", Qgis.ProcessingNumberParameterType.Double, 1.0, False, 0.02, 600
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "SIZE", "Frame width (pixels)", Qgis.ProcessingNumberParameterType.Integer, 1000, False, 100, 8000
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFile("GIF", "Animated GIF"))
        self.addOutput(QgsProcessingOutputNumber("FRAMES", "Number of frames"))
        self.addOutput(QgsProcessingOutputString("FRAME_FILES", "Frame files (one per line)"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        folder = Path(self.parameterAsString(parameters, "OUTPUT", context))
        extent = None
        if parameters.get("EXTENT"):
            extent = self.parameterAsExtent(parameters, "EXTENT", context, store.crs())

        def progress(share: float) -> bool:
            feedback.setProgress(100 * share)
            return not feedback.isCanceled()

        try:
            result = write_series(
                store,
                folder,
                extent,
                self.parameterAsDouble(parameters, "FRAME_SECONDS", context),
                self.parameterAsInt(parameters, "SIZE", context),
                progress,
            )
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(f"{len(result.frames)} frames ({', '.join(result.dates)}) and {result.gif.name} in {folder}.")
        return {
            "OUTPUT": str(folder),
            "GIF": str(result.gif),
            "FRAMES": len(result.frames),
            "FRAME_FILES": "\n".join(str(path) for path in result.frames),
        }

"""sitewatch:changescore — rank structures by how much they changed between two images."""

from __future__ import annotations

import os
import re
from typing import Any

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterBand,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsRasterLayer,
    QgsRectangle,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType

from ...core.errors import SiteWatchError
from ...core.scoring import change_score
from ...core.scoring.explanation import explain
from ...core.scoring.raster_pair import RasterPair, open_raster
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from .output_checks import AsideOutput, check_output, input_source

SCORE_FIELDS = (
    ("chg_score", QMetaType.Type.Double),
    ("chg_frac", QMetaType.Type.Double),
    ("chg_rank", QMetaType.Type.Int),
    ("suggested", QMetaType.Type.QString),
)
EXPLANATION_FIELDS = (
    ("chg_roof", QMetaType.Type.Double),
    ("chg_ring", QMetaType.Type.Double),
    ("chg_spot", QMetaType.Type.Double),
    ("chg_why", QMetaType.Type.QString),
)
"""Added after SCORE_FIELDS: share of the roof strongly changed, the ring's mean change and the
hottest spot (in changed-pixel thresholds), and the sentence that explains the suggestion."""
PATTERN_FIELDS = (("chg_pattern", QMetaType.Type.Double),)
"""Added last: the share of the roof's 2 m cells whose pattern changed (what no change of
brightness explains: rubble, holes, new walls)."""


def _raster_path(layer: QgsRasterLayer | None, role: str) -> str:
    if layer is None:
        raise QgsProcessingException(f"{role}: choose a raster layer or image file.")
    if layer.providerType() != "gdal":
        raise QgsProcessingException(
            f"{role} ({layer.name()}) is a '{layer.providerType()}' layer; change scoring reads image "
            "files through GDAL: save it as a GeoTIFF first."
        )
    return str(layer.source())


def _check_overlap(
    pair: RasterPair, source: QgsProcessingFeatureSource, context: QgsProcessingContext, before: str, after: str
) -> None:
    """Refuse structures that lie wholly outside the area both images cover (compared by extent;
    the scorer then marks single structures outside it unknown)."""
    region = pair.after_region()
    raster_crs = QgsCoordinateReferenceSystem.fromWkt(pair.srs.ExportToWkt())
    extent = source.sourceExtent()
    if source.sourceCrs().isValid() and source.sourceCrs() != raster_crs:
        try:
            extent = QgsCoordinateTransform(
                source.sourceCrs(), raster_crs, context.transformContext()
            ).transformBoundingBox(extent)
        except QgsCsException:
            return  # the scorer reports structures it cannot place
    if region is not None and extent.intersects(QgsRectangle(*pair.map_bounds(*region))):
        return
    raise QgsProcessingException(
        f"None of the {source.featureCount()} structures lies where BEFORE ({before}) and AFTER ({after}) "
        "overlap: check that the images cover the site."
    )


class ChangeScore(SiteWatchAlgorithm):
    NAME = "changescore"
    DISPLAY_NAME = "Score changes"
    GROUP = "Change detection"
    GROUP_ID = "change"
    ICON = "change_score"
    HELP = (
        "Scores every structure by how much it changed between a before and an after image, ranks "
        "them (1 = most changed) and suggests a damage status for the analyst to confirm. The "
        "after image is warped on the fly onto the before image's grid (any CRS, resolution or "
        "extent), matched to the before image's values band by band (gain and offset fitted on "
        "the percentiles of a sample of the overlap), and each pixel gets a change magnitude. A "
        "structure scores high when its inside changed more than the ring around it, or when one "
        "small patch of its roof (a 4×4-pixel cell: an impact hole) changed far more than the rest "
        "of it — such a spot alone suggests moderate at most. A second measure, the pattern of each 2 m "
        "cell that no change of brightness explains (rubble, holes' edges, new walls), keeps dark roofs, "
        "seasonal ground and a new sun from misleading the suggestion; a footprint that was ground and "
        "became a brighter even surface is suggested construction (not damage), and one that became "
        "evenly brighter with its surroundings (clouds, haze) is unknown. Images are read window by "
        "window, so large images need little memory."
    )
    PARAMETER_HELP = {
        "BEFORE": ("the earlier image (its grid is the reference)."),
        "AFTER": (
            "the later image; another CRS, resolution, data type (uint8/uint16) or extent is fine. "
            "With a 1-band and a multi-band image their brightness is compared; with other band "
            "counts the common bands 1..n."
        ),
        "STRUCTURES": (
            "the footprint polygons to score; reprojected to the before image's CRS when they are in another one."
        ),
        "BANDS": ("band numbers present in both images (default: all common bands)."),
        "RING_M": (
            "width of the ring around each footprint (its bounding box grown by this distance, other "
            "footprints left out) used as the local reference that cancels illumination and seasonal "
            "change."
        ),
        "OBSCURED": (
            "optional polygons where clouds, haze or smoke hide the after image: every structure they "
            "touch is unknown, never scored."
        ),
        "OUTPUT": (
            "the structures with chg_score (0–1), chg_frac (share of footprint pixels changed), "
            "chg_rank (1 = most changed) and suggested (intact, possible, moderate, severe, destroyed, "
            "construction or unknown), then why: chg_roof (share of the roof strongly changed), chg_ring (the ring's "
            "mean change) and chg_spot (the hottest 2 m patch), both in changed-pixel thresholds, and chg_why "
            "(the sentence, with the co-registration correction applied), then chg_pattern (share of the "
            "roof's 2 m cells whose pattern changed). Structures outside the overlap of the images, with "
            "fewer than half of their pixels valid or under clouds or haze are unknown with no score and "
            "no rank — never intact."
        ),
    }
    HELP_NOTES = (
        "The result THRESHOLDS (also in the log) says how the suggestion was derived: robust "
        "z-scores of the footprint-minus-ring change over all structures of the pair, the spot in "
        "units of the pair's changed-pixel threshold, cut at fixed values."
    )

    BEFORE = "BEFORE"
    AFTER = "AFTER"
    STRUCTURES = "STRUCTURES"
    BANDS = "BANDS"
    RING_M = "RING_M"
    OBSCURED = "OBSCURED"
    OUTPUT = "OUTPUT"
    THRESHOLDS = "THRESHOLDS"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer(self.BEFORE, "Before image"))
        self.addParameter(QgsProcessingParameterRasterLayer(self.AFTER, "After image"))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.STRUCTURES, "Structures", [Qgis.ProcessingSourceType.VectorPolygon]
            )
        )
        self.addParameter(
            QgsProcessingParameterBand(
                self.BANDS, "Bands to compare", parentLayerParameterName=self.BEFORE, optional=True, allowMultiple=True
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RING_M,
                "Ring width (m)",
                Qgis.ProcessingNumberParameterType.Double,
                defaultValue=change_score.DEFAULT_RING_M,
                minValue=0.1,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.OBSCURED,
                "Obscured areas (clouds, haze)",
                [Qgis.ProcessingSourceType.VectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, "Scored structures", Qgis.ProcessingSourceType.VectorPolygon)
        )
        self.addOutput(QgsProcessingOutputString(self.THRESHOLDS, "How the thresholds were chosen"))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        before = _raster_path(self.parameterAsRasterLayer(parameters, self.BEFORE, context), "Before image")
        after = _raster_path(self.parameterAsRasterLayer(parameters, self.AFTER, context), "After image")
        source = self.parameterAsSource(parameters, self.STRUCTURES, context)
        if source is None:
            raise QgsProcessingException("Structures: choose a polygon layer.")
        bands = self._bands(parameters, context)
        ring_m = self.parameterAsDouble(parameters, self.RING_M, context)
        features = list(source.getFeatures())
        footprints = [bytes(f.geometry().asWkb()) if f.hasGeometry() else None for f in features]
        crs = source.sourceCrs()
        try:
            run = change_score.score_changes(
                before,
                after,
                footprints,
                crs.toWkt() if crs.isValid() else "",
                bands,
                ring_m,
                feedback,
                self._obscured(parameters, context, crs),
            )
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        self._report(run, feedback)
        fields = QgsFields()
        new_names = {name for name, _ in SCORE_FIELDS + EXPLANATION_FIELDS + PATTERN_FIELDS}
        kept = [i for i, field in enumerate(source.fields()) if field.name() not in new_names]
        for index in kept:
            fields.append(source.fields().at(index))
        for name, kind in SCORE_FIELDS + EXPLANATION_FIELDS + PATTERN_FIELDS:
            fields.append(QgsField(name, kind))
        output = AsideOutput(self, parameters, self.OUTPUT, context)
        sink, dest_id = output.sink(fields, source.wkbType(), crs)
        for feature, scored in zip(features, run.scores):
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            attributes = feature.attributes()
            out.setAttributes(
                [attributes[i] for i in kept]
                + [scored.score, scored.frac, scored.rank, scored.suggested]
                + [scored.strong, scored.ring, scored.spot, explain(scored, run.registration, run.shadow)]
                + [scored.pattern]
            )
            if not sink.addFeature(out, QgsFeatureSink.Flag.FastInsert):
                last_error = sink.lastError()
                del sink
                raise output.failed(last_error or "a feature could not be written")
        del sink  # closes the file
        dest_id = output.commit(len(features))
        feedback.setProgress(100)
        return {self.OUTPUT: dest_id, self.THRESHOLDS: run.thresholds_text()}

    def _obscured(
        self, parameters: Parameters, context: QgsProcessingContext, crs: QgsCoordinateReferenceSystem
    ) -> list[bytes]:
        """The analyst's obscured areas as WKB in the structures' CRS (none when not given)."""
        source = self.parameterAsSource(parameters, self.OBSCURED, context)
        if source is None:
            return []
        transform = None
        if crs.isValid() and source.sourceCrs().isValid() and source.sourceCrs() != crs:
            transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        areas = []
        for feature in source.getFeatures():
            if not feature.hasGeometry():
                continue
            geometry = feature.geometry()
            if transform is not None:
                try:
                    geometry.transform(transform)
                except QgsCsException:
                    raise QgsProcessingException(
                        f"Obscured areas ({source.sourceName()}): feature {feature.id()} cannot be placed in the "
                        "structures' CRS; check the layer's CRS."
                    ) from None
            areas.append(bytes(geometry.asWkb()))
        return areas

    def _bands(self, parameters: Parameters, context: QgsProcessingContext) -> list[int] | None:
        """BANDS as band numbers: a list, or text with numbers separated by ';' or ',' (as typed
        for qgis_process); None for all common bands."""
        value = parameters.get(self.BANDS)
        if isinstance(value, str):
            parts = [part for part in re.split(r"[;,\s]+", value.strip()) if part]
            if not all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts):
                raise QgsProcessingException(
                    f"Bands to compare (BANDS): '{value}' is not a list of band numbers; give them separated by "
                    "';' or ',' (e.g. BANDS=1,2,3), or leave it empty for all common bands."
                )
            return [int(part) for part in parts] or None
        return self.parameterAsInts(parameters, self.BANDS, context) or None

    def checkParameterValues(self, parameters: Parameters, context: QgsProcessingContext) -> tuple[bool, str]:
        """An image given as a file that GDAL cannot read is named with what is wrong with it,
        before QGIS's own check reports it as "not found"."""
        for name in (self.BEFORE, self.AFTER):
            value = parameters.get(name)
            if isinstance(value, str) and os.path.isfile(value):
                try:
                    open_raster(value, name)
                except SiteWatchError as error:
                    return False, str(error)
        return super().checkParameterValues(parameters, context)

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        """Everything that can be refused before scoring: the images and bands (opened with
        GDAL, as the scorer will), the structures (polygons, at least one, somewhere the images
        overlap) and the output (never one of the inputs or an assessment)."""
        check_output(
            self.parameterAsOutputLayer(parameters, self.OUTPUT, context),
            self.OUTPUT,
            [
                (name, input_source(parameters.get(name), context))
                for name in (self.BEFORE, self.AFTER, self.STRUCTURES)
            ],
        )
        before = _raster_path(self.parameterAsRasterLayer(parameters, self.BEFORE, context), "Before image")
        after = _raster_path(self.parameterAsRasterLayer(parameters, self.AFTER, context), "After image")
        pair = RasterPair(before, after, self._bands(parameters, context))  # SiteWatchError names the problem
        source = self.parameterAsSource(parameters, self.STRUCTURES, context)
        if source is None:
            raise QgsProcessingException("Structures: choose a polygon layer.")
        if QgsWkbTypes.geometryType(source.wkbType()) != Qgis.GeometryType.Polygon:
            raise QgsProcessingException(
                f"Structures ({source.sourceName()}) holds {QgsWkbTypes.displayString(source.wkbType())} "
                "features: change scoring needs footprint polygons."
            )
        if source.featureCount() == 0:
            raise QgsProcessingException(
                f"Structures ({source.sourceName()}) has no features: draw or import structures first."
            )
        _check_overlap(pair, source, context, before, after)
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        folder = os.path.dirname(destination.split("|")[0])
        if os.path.isabs(destination) and not os.path.isdir(folder):
            raise QgsProcessingException(f"Scored structures (OUTPUT): the folder {folder} does not exist.")

    @staticmethod
    def _report(run: change_score.ScoreRun, feedback: QgsProcessingFeedback) -> None:
        feedback.pushInfo(f"Bands: {run.bands}")
        feedback.pushInfo(f"Normalisation: {run.normalisation}")
        if run.registration is not None:
            sentence = f"Co-registration: {run.registration.describe()}"
            if run.registration.warning:
                feedback.pushWarning(sentence)
            else:
                feedback.pushInfo(sentence)
        if run.warped:
            feedback.pushInfo("The after image was warped onto the before image's grid (bilinear).")
        if run.assumed_crs:
            feedback.pushWarning("The structures have no CRS: they were taken to be in the before image's CRS.")
        feedback.pushInfo(f"Thresholds: {run.thresholds_text()}")
        counts = run.counts()
        feedback.pushInfo("Suggested: " + ", ".join(f"{code} {n}" for code, n in sorted(counts.items())))
        if run.scored < change_score.MIN_REFERENCE:
            feedback.pushWarning(
                f"Only {run.scored} structure(s) could be scored: the z-scores compare each structure with "
                f"the pair's unchanged ones and need at least {change_score.MIN_REFERENCE}; treat these "
                "suggestions as unreliable."
            )
        if counts.get(change_score.UNKNOWN):
            feedback.pushWarning(
                f"{counts[change_score.UNKNOWN]} structure(s) are unknown: outside the overlap of the images, "
                "mostly nodata, smaller than a pixel, in an obscured area or under clouds or haze (see chg_why)."
            )

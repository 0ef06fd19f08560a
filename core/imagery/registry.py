"""Registered images of a site (the ``imagery`` layer): records, registering, editing,
relinking and removing them, and the checks that keep a before/after pair meaningful."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from osgeo import gdal
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)

from .. import attributes
from ..assessment.records import FeatureRecord
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from ..measure import distance_area
from .dates import DateReading, check_acquired, read_acquisition_date

gdal.UseExceptions()


@dataclass(frozen=True)
class ImageRecord:
    """One image pass over the site."""

    image_id: str
    acquired: str | None
    """ISO date ``YYYY-MM-DD`` (None while the analyst has not given it)."""
    source: str | None = None
    sensor: str | None = None
    uri: str | None = None
    """As stored: relative to the GeoPackage folder when possible."""
    gsd_m: float | None = None
    notes: str | None = None

    def label(self) -> str:
        """How the image is named on screen: date and source."""
        return " · ".join(p for p in (self.acquired or "undated", self.source or self.image_id) if p)


def list_images(store: AssessmentStore) -> list[ImageRecord]:
    """Every registered image, oldest first (undated last)."""
    records = []
    for feature in store.layer("imagery").getFeatures():
        gsd = feature["gsd_m"]
        records.append(
            ImageRecord(
                image_id=attributes.text(feature["image_id"]) or "",
                acquired=attributes.text(feature["acquired"]),
                source=attributes.text(feature["source"]),
                sensor=attributes.text(feature["sensor"]),
                uri=attributes.text(feature["uri"]),
                gsd_m=None if gsd is None or attributes.number(gsd) is None else float(gsd),
                notes=attributes.text(feature["notes"]),
            )
        )
    return sorted(records, key=lambda r: (r.acquired is None, r.acquired or "", r.image_id))


def resolve_uri(store: AssessmentStore, record: ImageRecord) -> str | None:
    """The image's path or URI as GDAL opens it (relative paths are resolved from the store)."""
    if not record.uri:
        return None
    location = Path(store.location)
    candidate = Path(record.uri)
    if not candidate.is_absolute() and location.exists():
        return str((location.parent / candidate).resolve())
    return record.uri


# -- inspecting a file --------------------------------------------------------------------


@dataclass(frozen=True)
class ImageInfo:
    """What SiteWatch needs to know about one raster file before registering it."""

    path: str
    crs: QgsCoordinateReferenceSystem
    footprint: QgsGeometry
    """The raster extent as a polygon in the image's own CRS."""
    width: int
    height: int
    band_count: int
    gsd_m: float
    has_overviews: bool
    date: DateReading
    sensor: str | None = None
    """The satellite or sensor named in the metadata (IMAGERY ``SATELLITEID`` and the like)."""


def _gdal_metadata(dataset: gdal.Dataset) -> dict[str, dict[str, str]]:
    """Every key/value metadata domain of the dataset and of its first band."""
    metadata: dict[str, dict[str, str]] = {}
    for owner, prefix in ((dataset, ""), (dataset.GetRasterBand(1), "band 1 ")):
        domains = owner.GetMetadataDomainList() or []
        for domain in ["", *domains]:
            if domain.startswith("xml:") or domain in ("DERIVED_SUBDATASETS", "IMAGE_STRUCTURE"):
                continue
            items = owner.GetMetadata_Dict(domain) or {}
            if items:
                metadata.setdefault(f"{prefix}{domain}".strip(), {}).update(items)
    return metadata


SENSOR_KEYS = ("SATELLITEID", "SATID", "SPACECRAFT_ID", "SPACECRAFT", "PLATFORM", "MISSION", "SENSOR")


def read_sensor(metadata: dict[str, dict[str, str]]) -> str | None:
    """The first sensor or satellite name found in the metadata (e.g. ``WV03``), or None."""
    for wanted in SENSOR_KEYS:
        for items in metadata.values():
            for key, value in items.items():
                if key.rsplit(".", 1)[-1].upper() == wanted and value.strip():
                    return value.strip()
    return None


def _is_local(uri: str) -> bool:
    return not uri.startswith("/vsi") and "://" not in uri


def inspect_image(path: str, today: dt.date | None = None) -> ImageInfo:
    """Open ``path`` with GDAL and read its footprint, CRS, pixel size and date.

    Raises a SiteWatchError naming the file when it is missing, not a raster, or has no CRS."""
    name = Path(path).name if _is_local(path) else path
    if _is_local(path) and not Path(path).is_file():
        raise SiteWatchError(f"The image '{path}' does not exist; check the path or relink it.")
    try:
        dataset = gdal.Open(path, gdal.GA_ReadOnly)
    except RuntimeError as error:
        raise SiteWatchError(
            f"'{name}' is not an image GDAL can read ({str(error).strip()}); "
            "give a GeoTIFF, COG, VRT, JPEG2000 or another raster file."
        ) from None
    if dataset is None or dataset.RasterCount == 0:
        raise SiteWatchError(f"'{name}' holds no raster bands; give an image file.")
    wkt = dataset.GetProjection() or dataset.GetGCPProjection()
    crs = QgsCoordinateReferenceSystem.fromWkt(wkt) if wkt else QgsCoordinateReferenceSystem()
    if not crs.isValid():
        raise SiteWatchError(
            f"'{name}' has no coordinate reference system, so SiteWatch cannot place it on the site. "
            "Georeference it first (e.g. Raster ▸ Georeferencer, or gdal_translate -a_srs)."
        )
    gt = dataset.GetGeoTransform(can_return_null=True)
    if gt is None:
        raise SiteWatchError(f"'{name}' has a CRS but no georeferencing (geotransform); georeference it first.")
    width, height = dataset.RasterXSize, dataset.RasterYSize
    corners = [
        (gt[0] + gt[1] * px + gt[2] * py, gt[3] + gt[4] * px + gt[5] * py)
        for px, py in ((0, 0), (width, 0), (width, height), (0, height), (0, 0))
    ]
    footprint = QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in corners]])
    center = footprint.centroid().asPoint()
    step = QgsPointXY(center.x() + gt[1], center.y() + gt[4])
    gsd_m = distance_area(crs).measureLine(center, step)
    band = dataset.GetRasterBand(1)
    metadata = _gdal_metadata(dataset)
    info = ImageInfo(
        path=path,
        crs=crs,
        footprint=footprint,
        width=width,
        height=height,
        band_count=dataset.RasterCount,
        gsd_m=round(gsd_m, 3),
        has_overviews=band.GetOverviewCount() > 0 or max(width, height) <= 2048,
        date=read_acquisition_date(metadata, name, today),
        sensor=read_sensor(metadata),
    )
    dataset = None
    return info


def footprint_in(info: ImageInfo, crs: QgsCoordinateReferenceSystem) -> QgsGeometry:
    """The image footprint in ``crs`` (edges densified so they stay true when reprojected)."""
    footprint = info.footprint.densifyByCount(16)
    if info.crs != crs:
        transform = QgsCoordinateTransform(info.crs, crs, QgsProject.instance().transformContext())
        try:
            footprint.transform(transform)
        except QgsCsException:
            raise SiteWatchError(
                f"The footprint of '{Path(info.path).name}' cannot be reprojected from "
                f"{info.crs.authid() or 'its CRS'} to {crs.authid()}; is its CRS right?"
            ) from None
    return footprint


# -- the imagery layer --------------------------------------------------------------------


def stored_uri(store: AssessmentStore, path: str) -> str:
    """``path`` relative to the GeoPackage folder when the image lies inside that folder."""
    if not _is_local(path):
        return path
    folder = Path(store.location).parent
    target = Path(path).absolute()
    try:
        return target.relative_to(folder).as_posix()
    except ValueError:
        return str(target)


def footprints(store: AssessmentStore) -> dict[str, QgsGeometry]:
    """Each registered image's footprint in the assessment CRS, by image id."""
    return {f["image_id"]: f.geometry() for f in store.layer("imagery").getFeatures()}


def find_image(store: AssessmentStore, image_id: str) -> ImageRecord:
    for record in list_images(store):
        if record.image_id == image_id:
            return record
    raise SiteWatchError(f"No image '{image_id}' is registered in {store.location}.")


def site_extent(store: AssessmentStore) -> QgsRectangle | None:
    """The extent of the site's structures and compounds, or None while there are none."""
    extent = QgsRectangle()
    for name in ("structures", "compounds"):
        layer = store.layer(name)
        if layer.featureCount() > 0:
            layer.updateExtents()
            extent.combineExtentWith(layer.extent())
    return None if extent.isNull() else extent


def _check_overlaps(store: AssessmentStore, footprint: QgsGeometry, name: str, skip: str | None = None) -> None:
    site = site_extent(store)
    if site is not None and not footprint.intersects(QgsGeometry.fromRect(site)):
        raise SiteWatchError(
            f"'{name}' does not cover the site of {Path(store.location).name} (its structures and compounds); "
            "is it the right image, with the right CRS?"
        )
    others = {i: g for i, g in footprints(store).items() if i != skip and g is not None and not g.isEmpty()}
    if others and not any(footprint.intersects(g) for g in others.values()):
        raise SiteWatchError(
            f"'{name}' does not overlap any registered image ({', '.join(sorted(others))}); "
            "a comparison needs images of the same place. Is it the right image, with the right CRS?"
        )


def register_image(
    store: AssessmentStore,
    path: str,
    acquired: str | None = None,
    source: str | None = None,
    sensor: str | None = None,
    notes: str | None = None,
    today: dt.date | None = None,
) -> ImageRecord:
    """Add the image at ``path`` to the ``imagery`` layer and return its record.

    ``acquired`` defaults to the date read from the file (None when absent or ambiguous).
    Nothing is written when the file is unusable or already registered."""
    info = inspect_image(path, today)
    uri = stored_uri(store, path)
    for record in list_images(store):
        if record.uri == uri or resolve_uri(store, record) == str(Path(path).absolute()):
            raise SiteWatchError(f"'{Path(path).name}' is already registered as {record.image_id} ({record.label()}).")
    acquired = check_acquired(acquired, today) if acquired else info.date.date
    sensor = sensor or info.sensor
    footprint = footprint_in(info, store.crs())
    _check_overlaps(store, footprint, Path(path).name)
    image_id = store.next_id("imagery")
    attributes: dict[str, object] = {
        "image_id": image_id,
        "acquired": acquired,
        "source": source,
        "sensor": sensor,
        "uri": uri,
        "gsd_m": info.gsd_m,
        "notes": notes,
    }
    store.add_feature(FeatureRecord("imagery", attributes, footprint))
    return find_image(store, image_id)


def _change(
    store: AssessmentStore, image_id: str, values: dict[str, object], geometry: QgsGeometry | None = None
) -> ImageRecord:
    find_image(store, image_id)  # says which image is not registered
    store.update_feature("imagery", image_id, geometry, values)
    return find_image(store, image_id)


def update_image(
    store: AssessmentStore,
    image_id: str,
    *,
    acquired: str | None = None,
    source: str | None = None,
    sensor: str | None = None,
    today: dt.date | None = None,
) -> ImageRecord:
    """Set an image's date, source and sensor (empty text clears source/sensor).

    The date cannot change while observations were recorded on the image at its current
    date: they would be left at a date no image has."""
    new_date = check_acquired(acquired, today) if acquired else None
    _check_date_change(store, find_image(store, image_id), new_date)
    values: dict[str, object] = {"acquired": new_date}
    values.update({"source": source or None, "sensor": sensor or None})
    return _change(store, image_id, values)


def _check_date_change(store: AssessmentStore, record: ImageRecord, new_date: str | None) -> None:
    if record.acquired is None or new_date == record.acquired:
        return
    recorded = [o for o in store.observations() if o.image_id == record.image_id and o.observed_on == record.acquired]
    if recorded:
        count = len(recorded)
        raise SiteWatchError(
            f"{count} state{'s were' if count > 1 else ' was'} recorded on {record.image_id} at {record.acquired}; "
            "its date cannot change under them. Remove those states (or record them again at "
            "the right date) first, then correct the date."
        )


def relink_image(store: AssessmentStore, image_id: str, path: str) -> ImageRecord:
    """Point a registered image at its moved file (its footprint and pixel size are re-read)."""
    info = inspect_image(path)
    footprint = footprint_in(info, store.crs())
    _check_overlaps(store, footprint, Path(path).name, skip=image_id)
    return _change(store, image_id, {"uri": stored_uri(store, path), "gsd_m": info.gsd_m}, footprint)


def remove_image(store: AssessmentStore, image_id: str) -> None:
    """Unregister an image (the file itself is left alone)."""
    find_image(store, image_id)  # says which image is not registered
    store.delete_feature("imagery", image_id, "image removed")


def available_path(store: AssessmentStore, record: ImageRecord) -> str:
    """The image's path when its file is there; otherwise a SiteWatchError saying to relink it."""
    path = resolve_uri(store, record)
    if path is None or (_is_local(path) and not Path(path).is_file()):
        raise SiteWatchError(
            f"The file of image {record.image_id} ({record.label()}) is missing: '{path or record.uri}'. "
            "Use Relink to point SiteWatch at where it is now."
        )
    return path


def default_pair(records: list[ImageRecord]) -> tuple[ImageRecord | None, ImageRecord | None]:
    """The two latest dated images as (before, after); (None, None) with fewer than two."""
    dated = [r for r in records if r.acquired]
    if len(dated) < 2:
        return None, None
    return dated[-2], dated[-1]


def check_pair(store: AssessmentStore, before: ImageRecord | None, after: ImageRecord | None) -> None:
    """A SiteWatchError unless before and after are two overlapping images, before first."""
    if before is None or after is None:
        count = len(list_images(store))
        raise SiteWatchError(
            f"A comparison needs two images; {count} {'is' if count == 1 else 'are'} registered. "
            "Add another pass over the site in the Imagery panel."
        )
    if before.image_id == after.image_id:
        raise SiteWatchError(f"Before and after are the same image ({before.label()}); pick two different ones.")
    shapes = footprints(store)
    one, two = shapes.get(before.image_id), shapes.get(after.image_id)
    if one is not None and two is not None and not one.intersects(two):
        raise SiteWatchError(f"{before.label()} and {after.label()} do not overlap; pick two images of the same place.")

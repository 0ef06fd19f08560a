"""Export an assessment for reports: a vector package in several formats, the CSV tables,
an optional PDF map product and a manifest, written aside and moved into place at once.

A failure, a bad parameter or a cancel leaves no output folder behind; an existing folder
is only replaced when overwriting is allowed and it is empty or a previous export (it has a
``manifest.json``), so overwriting never deletes unrelated files.

The PDF pages are QGIS print layouts, which are not thread safe (a layout is a
QGraphicsScene: creating or deleting one adds it to or removes it from the application's
unsynchronised list of scenes). Every layout step is therefore handed to ``run_layout``, which
runs it where layouts may live: in the calling thread by default, on QGIS's main thread when
the export runs in a background task (``processing/main_thread.py``). The data work (reading
the assessment, the vector formats, the tables) stays in the calling thread, but for GDAL's
translations (shapefiles, GeoJSON), written on a second thread at the same time (``.parallel``).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from qgis.core import QgsFeedback

from .. import values
from ..assessment.observations import check_date
from ..assessment.store import AssessmentStore
from ..errors import SiteWatchError
from ..imagery.registry import ImageRecord, list_images, resolve_uri, site_extent
from . import formats as export_formats
from .data import ExportData, read_export_data
from .folder import check_replaceable, move_into_place, recover
from .manifest import write_manifest
from .panel_images import check_panel_image
from .parallel import run_beside

COMPOUND_PAGES_UP_TO = 30
"""The compound pages are on by default for sites with at most this many compounds (one A4
page each); above it they are written only when asked for."""


class ExportCanceled(SiteWatchError):
    """The user canceled; nothing was written."""


LayoutStep = Callable[[QgsFeedback | None], Path]
"""Writes one PDF with a print layout and returns its path; the feedback it is given (if any)
hears of each page written and may cancel the rest."""
LayoutRunner = Callable[[LayoutStep], Path]
"""Runs a layout step where print layouts may live and returns what it returned."""


def in_this_thread(step: LayoutStep) -> Path:
    """The default :data:`LayoutRunner`: the step runs here and now."""
    return step(None)


@dataclass(frozen=True)
class ExportRequest:
    """The parameters of one export (those of ``sitewatch:exportreport``)."""

    output_folder: str
    after_date: str
    before_date: str | None = None
    formats: tuple[str, ...] = export_formats.FORMATS
    scheme: str = "sitewatch"
    report: bool = False
    compound_pages: bool | None = None
    """With ``report``: also one page per compound (``<prefix>_report_compounds.pdf``); without
    ``report`` True is refused (the pages are part of the report). None: on with the report
    when the site has at most :data:`COMPOUND_PAGES_UP_TO` compounds."""
    before_image: str | None = None
    after_image: str | None = None
    overwrite: bool = False
    history_page: bool = True
    """With ``report``: the site's history (``<prefix>_report_history.pdf``) when it has two dates or more."""
    accuracy_page: bool = True
    """With ``report``: agreement and corrected totals (``<prefix>_report_accuracy.pdf``) when a
    validation sample or answers exist at the after date."""
    certified_only: bool = False
    """Only the structures of certified work cells (:mod:`..teamwork.certified`); the summary
    then says how much is certified."""


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: list[str]
    """File names in the folder, the manifest included."""
    report: Path | None
    structures: int
    before_date: str | None
    parameters: dict[str, object] = field(default_factory=dict)


def file_prefix(site: str, after_date: str) -> str:
    """``<site>_<after-date>``: the site name in ASCII letters, digits and ``_``."""
    ascii_name = unicodedata.normalize("NFKD", site).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_") or "site"
    return f"{slug}_{after_date}"


def check_formats(formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats in canonical spelling and order; an unknown name is a SiteWatchError."""
    known = {name.lower(): name for name in export_formats.FORMATS}
    chosen = []
    for name in formats:
        canonical = known.get(str(name).strip().lower())
        if canonical is None:
            raise SiteWatchError(f"Unknown export format '{name}'; use any of {', '.join(export_formats.FORMATS)}.")
        chosen.append(canonical)
    return tuple(name for name in export_formats.FORMATS if name in chosen)


def _check_dates(images: list[ImageRecord], after: str, before: str | None) -> None:
    dated = sorted(i.acquired for i in images if i.acquired)
    if before is not None and before >= after:
        raise SiteWatchError(f"The before date {before} must be earlier than the after date {after}.")
    for label, date in (("after", after), ("before", before)):
        if date is not None and dated and not dated[0] <= date <= dated[-1]:
            raise SiteWatchError(
                f"The {label} date {date} is outside the imagery of this assessment "
                f"({dated[0]} to {dated[-1]}); choose a date between them."
            )


def _default_before(images: list[ImageRecord], observed: set[str], after: str) -> str | None:
    """The latest image date before ``after`` on or before which something was observed."""
    earlier = sorted({i.acquired for i in images if i.acquired and i.acquired < after}, reverse=True)
    for date in earlier:
        if any(day <= date for day in observed):
            return date
    return None


def image_for(store: AssessmentStore, images: list[ImageRecord], date: str, given: str | None, label: str) -> str:
    """The path of the ``label`` panel's image: ``given``, else the image on (or latest before) ``date``."""
    if given:
        path = given
    else:
        candidates = [i for i in images if i.acquired and i.acquired <= date and i.uri]
        if not candidates:
            raise SiteWatchError(
                f"No image of this assessment is dated on or before the {label} date {date}; "
                f"register one or give the {label} image."
            )
        path = resolve_uri(store, max(candidates, key=lambda i: (i.acquired, i.image_id))) or ""
    if "://" not in path and not Path(path).is_file():
        raise SiteWatchError(f"The {label} image '{path}' does not exist; check the path or give another image.")
    check_panel_image(path, label, store.crs(), site_extent(store))
    return path


def observed_days(store: AssessmentStore) -> set[str]:
    """Every date on which some structure was observed, read as columns (no Python object
    per observation: millions at country scale)."""
    days = np.unique(store.observation_columns().day)
    return {str(day) for day in days.astype("datetime64[D]").tolist()}


def _check_folder(target: Path, overwrite: bool) -> None:
    """Check the output folder, after cleaning up what a killed export left beside it."""
    if target.parent.is_dir():
        recover(target)
    if not target.parent.is_dir():
        raise SiteWatchError(f"The folder '{target.parent}' does not exist; create it or choose another output folder.")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise SiteWatchError(f"The folder '{target.parent}' is not writable; choose another output folder.")
    if target.exists() and not target.is_dir():
        raise SiteWatchError(f"'{target}' is a file, not a folder; choose another output folder.")
    if target.exists() and not overwrite:
        raise SiteWatchError(f"The output folder '{target}' already exists; choose another or allow overwriting it.")
    if target.is_dir():
        check_replaceable(target)


@dataclass(frozen=True)
class CheckedRequest:
    """An export request checked against the assessment, with its defaults filled in."""

    after: str
    before: str | None
    formats: tuple[str, ...]
    target: Path
    panels: tuple[str, str] | None
    """The before and after images of the report, or None without a report."""


def scoped(store: AssessmentStore, request: ExportRequest) -> AssessmentStore:
    """What the request exports: ``store``, or its certified part."""
    from ..teamwork.certified import CertifiedView

    if request.certified_only and not isinstance(store, CertifiedView):
        return CertifiedView(store)
    return store


def check_request(store: AssessmentStore, request: ExportRequest) -> CheckedRequest:
    """The request checked (dates, formats, scheme, folder, report options) before anything is
    written; a SiteWatchError says what to change."""
    store = scoped(store, request)
    after = check_date(request.after_date, "after date")
    before = check_date(request.before_date, "before date") if request.before_date else None
    formats = check_formats(request.formats)
    if request.scheme not in values.SCHEMES:
        raise SiteWatchError(f"Unknown label scheme '{request.scheme}'; use one of {', '.join(values.SCHEMES)}.")
    if request.compound_pages and not request.report:
        raise SiteWatchError(
            "One page per compound is part of the PDF report: turn the PDF report on (REPORT=true) "
            "or the pages off (COMPOUND_PAGES=false)."
        )
    target = Path(request.output_folder).expanduser().absolute()
    _check_folder(target, request.overwrite)
    images = list_images(store)
    _check_dates(images, after, before)
    observed = observed_days(store)
    for label, date in (("after", after), ("before", before)):
        if date is not None and not any(day <= date for day in observed):
            raise SiteWatchError(
                f"No structure has an observation on or before the {label} date {date}; "
                "record observations first or choose a later date."
            )
    before = before or _default_before(images, observed, after)
    panels = None
    if request.report:
        if before is None:
            raise SiteWatchError(f"The report needs a before date: no image is dated before {after}.")
        panels = (
            image_for(store, images, before, request.before_image, "before"),
            image_for(store, images, after, request.after_image, "after"),
        )
    return CheckedRequest(after, before, formats, target, panels)


def export_assessment(
    store: AssessmentStore,
    request: ExportRequest,
    feedback: QgsFeedback | None = None,
    run_layout: LayoutRunner = in_this_thread,
) -> ExportResult:
    """Write the export described by ``request``; see the module docstring for guarantees and
    for ``run_layout``."""
    store = scoped(store, request)
    checked = check_request(store, request)
    after, before, formats, target, panels = (
        checked.after,
        checked.before,
        checked.formats,
        checked.target,
        checked.panels,
    )
    site = store.metadata().get("site_name") or Path(store.location).stem
    parameters = dict(
        asdict(request),
        after_date=after,
        before_date=before,
        formats=list(formats),
        output_folder=str(target),
        assessment=store.location,
        before_image=panels[0] if panels else None,
        after_image=panels[1] if panels else None,
    )
    temp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(temp, ignore_errors=True)
    try:
        temp.mkdir()
        data = read_export_data(store, site, after, before, request.scheme)
        certified = getattr(store, "coverage", None)
        if certified is not None:
            data.sentence = f"{data.sentence} Certified cells only: {certified.sentence()}."
        pages = compound_pages_wanted(request, len(data.tables["compounds"].rows))
        parameters["compound_pages"] = pages
        report = _write(data, temp, file_prefix(site, after), formats, (panels, pages), feedback, run_layout)
        if panels:
            from .report.optional_pages import write_optional_pages

            write_optional_pages(
                store,
                site,
                after,
                temp,
                file_prefix(site, after),
                request.history_page,
                request.accuracy_page,
                run_layout,
            )
        summary = {"site": site, "structures": len(data.after_codes), "compounds": len(data.tables["compounds"].rows)}
        write_manifest(temp, parameters, summary)
        files = sorted(p.name for p in temp.iterdir())
        move_into_place(temp, target)
    except (OSError, RuntimeError) as error:
        raise SiteWatchError(f"Writing the export to '{target}' failed: {error}. Nothing was written.") from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return ExportResult(
        target, files, target / report.name if report else None, len(data.after_codes), before, parameters
    )


def compound_pages_wanted(request: ExportRequest, compounds: int) -> bool:
    """Whether the export writes the compound pages: as asked, else (None) with the report for
    sites of at most :data:`COMPOUND_PAGES_UP_TO` compounds."""
    if request.compound_pages is not None:
        return request.compound_pages
    return request.report and compounds <= COMPOUND_PAGES_UP_TO


def _single_page(
    write: Callable[[ExportData, str, str, Path], Path],
    data: ExportData,
    panels: tuple[str, str],
    path: Path,
    _pages: QgsFeedback | None,
) -> Path:
    """A :data:`LayoutStep` writing a one-page PDF (no pages to hear of)."""
    return write(data, panels[0], panels[1], path)


def _write(
    data: ExportData,
    folder: Path,
    prefix: str,
    formats: tuple[str, ...],
    report_pages: tuple[tuple[str, str] | None, bool],
    feedback: QgsFeedback | None,
    run_layout: LayoutRunner,
) -> Path | None:
    """The vector formats and tables, then (with ``panels``: the report's before and after
    images) the report and the compound pages when asked, through ``run_layout``."""
    panels, compound_pages = report_pages
    # the GeoPackage first: the shapefiles, GeoJSON and observations CSV are read from it
    vectors = ["GeoPackage", "tables"] + [f for f in formats if f != "GeoPackage"]
    layouts = (["report"] if panels else []) + (["compound pages"] if panels and compound_pages else [])
    total = len(vectors) + len(layouts)

    def check(number: int) -> None:
        if feedback is not None:
            if feedback.isCanceled():
                raise ExportCanceled("The export was canceled; nothing was written.")
            feedback.setProgress(100.0 * number / total)

    report = None
    scratch = folder / ".scratch"
    scratch.mkdir()
    package = folder / f"{prefix}.gpkg" if "GeoPackage" in formats else scratch / "package.gpkg"
    check(0)
    export_formats.write_geopackage(data, package)

    def writer(step: str) -> Callable[[], object]:
        write = export_formats.write_tables if step == "tables" else export_formats.WRITERS[step]
        return functools.partial(write, data, folder, prefix, package)

    # GDAL's translations on a second thread, the Python writers here (see .parallel)
    behind = [s for s in export_formats.GDAL_WRITERS if s in formats]
    run_beside([writer(s) for s in vectors[1:] if s not in behind], [writer(s) for s in behind], lambda n: check(1 + n))
    if "CSV" in formats:
        export_formats.write_csv_projections(data, folder, prefix)
    for number, step in enumerate(layouts, start=len(vectors)):
        check(number)
        if step == "report" and panels:
            from .report.map_product import write_report

            report = run_layout(
                functools.partial(_single_page, write_report, data, panels, folder / f"{prefix}_report.pdf")
            )
        elif step == "compound pages" and panels:
            from .report.compound_pages import write_compound_pages

            path = folder / f"{prefix}_report_compounds.pdf"
            run_layout(functools.partial(write_compound_pages, data, panels[0], panels[1], path))
    shutil.rmtree(scratch)
    return report

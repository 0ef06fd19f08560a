"""The export runs as a background task from the action and ends on one message with
*Open folder* / *Open PDF*; the dialog's Run hands back its parameters; the scheme is remembered."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from qgis.core import Qgis, QgsApplication, QgsProject, QgsRasterLayer, QgsSettings
from qgis.gui import QgsBrowserGuiModel
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton

import sitewatch
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site
from sitewatch.tests.helpers.plugin import flush_deletes
from sitewatch.ui import settings
from sitewatch.ui.export.dialog import export_dialog
from sitewatch.ui.export.run import ALGORITHM


def _wait(export, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not export.done:
        assert time.monotonic() < deadline, "the export task did not finish"
        QCoreApplication.processEvents()
        time.sleep(0.01)


def _export_part(plugin):
    return next(p for p in plugin.parts if hasattr(p, "initial_parameters"))


def test_export_runs_in_the_background_and_offers_folder_and_pdf(
    qgis_iface, qgis_new_project, qgis_processing, tmp_path, monkeypatch
):
    QgsSettings().remove("SiteWatch/export_scheme")
    store = build_site(tmp_path / "site")
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.context.session.open(store.location)
        part = _export_part(plugin)
        parameters = part.initial_parameters()
        assert parameters["SCHEME"] == 0  # sitewatch's own codes until a scheme was chosen
        parameters.update(BEFORE_DATE=BEFORE, SCHEME=1, FORMATS=[4], REPORT=True)
        progress = []
        export = part.start(parameters)
        export.feedback.progressChanged.connect(progress.append)
        assert QgsApplication.taskManager().countActiveTasks() >= 1  # queued, not run in the call
        _wait(export)
        folder = Path(parameters["OUTPUT_FOLDER"])
        pdf = folder / f"Tall_Hamdan_site_{AFTER}_report.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
        assert progress and max(progress) > 50
        buttons = {b.text(): b for b in qgis_iface.messageBar().findChildren(QPushButton) if b.property("path")}
        assert {name: b.property("path") for name, b in buttons.items()} == {
            "Open folder": str(folder),
            "Open PDF": str(pdf),
        }
        opened = []
        monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
        buttons["Open PDF"].click()
        buttons["Open folder"].click()
        assert opened == [str(pdf), str(folder)]
        # The scheme chosen is the next export's default.
        assert settings.export_scheme() == "unosat"
        assert part.initial_parameters()["SCHEME"] == 1
        # A failure says why, on the message bar.
        failing = part.start(dict(parameters, OVERWRITE=False))
        _wait(failing)
        critical = "\n".join(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical))
        assert "The export failed" in critical and "already exists" in critical
    finally:
        QgsSettings().remove("SiteWatch/export_scheme")
        plugin.unload()
        flush_deletes()


def test_dialog_run_hands_back_checked_parameters_without_running(
    qgis_iface, qgis_new_project, sitewatch_provider, tmp_path, monkeypatch
):
    browser = QgsBrowserGuiModel()  # pytest-qgis's interface has none; the Processing dialog asks for it
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)
    store = build_site(tmp_path / "site")
    output = tmp_path / "out"
    parameters = {"ASSESSMENT": store.location, "AFTER_DATE": AFTER, "BEFORE_DATE": BEFORE, "SCHEME": 2}
    dialog = export_dialog(ALGORITHM, dict(parameters, OUTPUT_FOLDER=str(output)), qgis_iface.mainWindow())
    try:
        assert dialog.runButton().text() == "Export"
        dialog.runAlgorithm()
        assert dialog.chosen["SCHEME"] == 2 and dialog.chosen["OUTPUT_FOLDER"] == str(output)
        assert not output.exists()  # nothing ran in the dialog
        output.mkdir()
        (output / "keep.txt").write_text("not an export")
        refused = export_dialog(ALGORITHM, dict(parameters, OUTPUT_FOLDER=str(output)), qgis_iface.mainWindow())
        warned = []
        monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
        refused.runAlgorithm()
        assert refused.chosen is None and "already exists" in warned[0]
    finally:
        dialog.deleteLater()
        refused.deleteLater()
        flush_deletes()


def test_the_task_reads_and_writes_data_while_the_pdf_layouts_run_on_the_main_thread(
    qgis_iface, qgis_new_project, qgis_processing, tmp_path, monkeypatch
):
    """Print layouts are not thread safe: each PDF of the background export is drawn on the
    main thread, the vector files are written in the task's thread."""
    from sitewatch.core.export import formats
    from sitewatch.core.export.report import compound_pages, map_product, optional_pages

    threads: dict[str, list] = {}
    for module, name in (
        (map_product, "write_report"),
        (compound_pages, "write_compound_pages"),
        (optional_pages, "write_history_page"),
        (formats, "write_geopackage"),
    ):
        real = getattr(module, name)

        def spied(*args, _real=real, _name=name, **kwargs):
            threads.setdefault(_name, []).append(threading.current_thread() is threading.main_thread())
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spied)
    store = build_site(tmp_path / "site")
    plugin = sitewatch.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.context.session.open(store.location)
        part = _export_part(plugin)
        after_layer = QgsRasterLayer(str(tmp_path / "site" / "after.tif"), "after image")
        QgsProject.instance().addMapLayer(after_layer)  # chosen in the dialog among the project's layers
        parameters = dict(
            part.initial_parameters(),
            BEFORE_DATE=BEFORE,
            REPORT=True,
            COMPOUND_PAGES=True,
            AFTER_IMAGE=after_layer.id(),
        )
        export = part.start(parameters)
        _wait(export)
        assert export.results["REPORT_PDF"], "the export finished with its report"
        manifest = json.loads((Path(parameters["OUTPUT_FOLDER"]) / "manifest.json").read_text())
        assert manifest["parameters"]["after_image"] == after_layer.source()  # the task was given the file
        on_main = {name: set(flags) for name, flags in threads.items()}
        assert on_main == {
            "write_geopackage": {False},
            "write_report": {True},
            "write_compound_pages": {True},
            "write_history_page": {True},
        }
        for name in ("report", "report_compounds", "report_history"):
            assert (Path(parameters["OUTPUT_FOLDER"]) / f"Tall_Hamdan_site_{AFTER}_{name}.pdf").is_file()
    finally:
        plugin.unload()
        flush_deletes()

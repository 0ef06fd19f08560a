"""Toolbar and menu actions to create and open an assessment, and set the analyst name."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer
from qgis.PyQt.QtGui import QAction
from qgis.PyQt.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from ...core.assessment.geopackage_adopt import adopt, adoption_offered
from ...core.errors import SiteWatchError
from .. import settings
from ..context import InterfacePart, PluginContext
from ..icons import icon
from ..messages import notify
from .database_dialog import DatabaseAssessmentDialog

NAME_QUESTION = (
    "Your name or initials, recorded with every structure and state you record and shown in the "
    "report's Analyst(s) line (change it later in SiteWatch ▸ Analyst name…):"
)


def ask_text(title: str, question: str, default: str) -> str | None:
    """Ask the analyst for one line of text; None when cancelled."""
    text, ok = QInputDialog.getText(None, title, question, QLineEdit.EchoMode.Normal, default)
    return text if ok else None


def ask_yes_no(title: str, question: str) -> bool:
    """Ask the analyst a yes / no question (default yes)."""
    answer = QMessageBox.question(
        None,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return bool(answer == QMessageBox.StandardButton.Yes)


ADOPT_QUESTION = (
    "{name} holds SiteWatch's layers but was made outside SiteWatch (a script, another tool).\n\n"
    "Adopt it as a SiteWatch assessment? This adds the observation history, SiteWatch's metadata and "
    "styles; your rows stay exactly as they are. Without adopting it, it opens read-only: you can look "
    "at it and export it, but not record states or draw."
)


def default_crs(project: QgsProject) -> QgsCoordinateReferenceSystem | None:
    """The CRS for a new assessment: that of the first raster layer (the imagery) in
    ``project``, else the project's when it holds layers; None (the algorithm's default)
    when the project is empty."""
    layers = list(project.mapLayers().values())
    for layer in layers:
        if isinstance(layer, QgsRasterLayer) and layer.crs().isValid():
            return layer.crs()
    return project.crs() if layers and project.crs().isValid() else None


class AssessmentActions(InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        self.ask_text = ask_text
        """Asks for the analyst's name (tests answer instead of a dialog)."""
        self.ask_yes_no = ask_yes_no
        """Asks whether to adopt a GeoPackage made elsewhere (tests answer instead of a dialog)."""
        self._name_asked = False
        self.create_dialog: QDialog | None = None
        window = context.iface.mainWindow()
        self.new_action = QAction(icon("new_assessment"), "New assessment…", window)
        self.new_action.setToolTip("New assessment: create an empty SiteWatch GeoPackage for a site and open it")
        self.new_action.triggered.connect(self.create)
        self.open_action = QAction(icon("open_assessment"), "Open assessment…", window)
        self.open_action.setToolTip("Open assessment: load a SiteWatch GeoPackage's layers into the project")
        self.open_action.triggered.connect(self.choose_and_open)
        self.database_action = QAction(icon("open_assessment"), "Open assessment from database…", window)
        self.database_action.setToolTip(
            "Open assessment from database: a team's assessment in PostgreSQL/PostGIS, through a saved "
            "connection or a pg_service.conf service"
        )
        self.database_action.triggered.connect(self.choose_from_database)
        self.close_action = QAction("Close assessment", window)
        self.close_action.setToolTip(
            "Close assessment: remove its layers from the project (everything is already saved in its GeoPackage)"
        )
        self.close_action.triggered.connect(context.session.close)
        self.analyst_action = QAction("Analyst name…", window)
        self.analyst_action.setToolTip("The name recorded with every structure and observation you make")
        self.analyst_action.triggered.connect(self.ask_analyst_name)
        for action in (self.new_action, self.open_action):
            context.toolbar.addAction(action)
        menu_actions = (self.new_action, self.database_action, self.open_action, self.close_action, self.analyst_action)
        for action in menu_actions:
            context.menu.addAction(action)
        context.menu.addSeparator()
        self._actions = menu_actions
        context.session.problem.connect(self._warn)
        context.session.opened.connect(self._update_enabled)
        context.session.closed.connect(self._update_enabled)
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        self.close_action.setEnabled(self.context.session.store is not None)

    def _warn(self, text: str) -> None:
        notify(self.context.iface, text, Qgis.MessageLevel.Warning, 0)

    def create(self) -> None:
        """Show *Create assessment* (not modal), in the CRS of the project's imagery; the new
        file opens as soon as it is written."""
        import processing  # QGIS's own module; only available inside QGIS

        crs = default_crs(QgsProject.instance())
        dialog = processing.createAlgorithmDialog("sitewatch:createassessment", {"CRS": crs} if crs else {})
        if dialog is None:
            return
        self.create_dialog = dialog
        dialog.algorithmFinished.connect(self._created)
        dialog.show()

    def _created(self, successful: bool, results: dict[str, object]) -> None:
        output = results.get("OUTPUT") if successful else None
        if isinstance(output, str) and output:
            self.open_path(output)
            if self.create_dialog is not None:
                self.create_dialog.close()

    def choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.context.iface.mainWindow(),
            "Open SiteWatch assessment",
            settings.last_folder(),
            "SiteWatch assessment (*.gpkg)",
        )
        if path:
            settings.set_last_folder(str(Path(path).parent))
            self.open_path(path)

    def choose_from_database(self) -> None:
        dialog = DatabaseAssessmentDialog(self.context.iface.mainWindow())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            location = dialog.location()
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Critical, 0)
            return
        self.open_path(location)

    def open_path(self, path: str) -> None:
        """Open the assessment at ``path``; a GeoPackage made elsewhere is offered for adoption
        first (no: it opens read-only), an older schema is upgraded after a backup (said once)."""
        try:
            adopted = self._offer_adoption(path)
            store = self.context.session.open(path)
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Critical, 0)
            return
        notify(self.context.iface, f"Opened assessment {store.location}", Qgis.MessageLevel.Success)
        if adopted:
            notify(
                self.context.iface,
                f"Adopted {Path(path).name}: added {', '.join(adopted)}; its rows are unchanged.",
                Qgis.MessageLevel.Success,
            )
        for note in store.opening_notes():
            notify(self.context.iface, note, Qgis.MessageLevel.Info, 0)
        self.ensure_analyst_name()

    def _offer_adoption(self, path: str) -> list[str]:
        """Ask whether to adopt a GeoPackage made elsewhere; adopt it on yes. Returns the internal
        tables added (none when not asked or declined)."""
        if not adoption_offered(path):
            return []
        if not self.ask_yes_no("Adopt GeoPackage?", ADOPT_QUESTION.format(name=Path(path).name)):
            return []
        return adopt(path)

    def ensure_analyst_name(self) -> None:
        """Ask for the analyst's name the first time an assessment is opened (once: the answer
        is kept in QGIS's settings; after a cancel, not again until QGIS restarts, and the OS
        user is recorded meanwhile)."""
        if settings.has_analyst_name() or self._name_asked:
            return
        self._name_asked = True
        self.ask_analyst_name()
        if not settings.has_analyst_name():
            notify(
                self.context.iface,
                f"No analyst name given: your work is recorded as '{settings.analyst_name()}'. "
                "Set your name in SiteWatch ▸ Analyst name….",
                Qgis.MessageLevel.Warning,
            )

    def ask_analyst_name(self) -> None:
        """Ask for (or change) the analyst's name, offering the current one."""
        default = settings.analyst_name() if settings.has_analyst_name() else ""
        name = self.ask_text("SiteWatch analyst", NAME_QUESTION, default)
        if name is not None and name.strip():
            settings.set_analyst_name(name)
            notify(self.context.iface, f"Analyst name: {name.strip()}", Qgis.MessageLevel.Info, 3)

    def unload(self) -> None:
        self.context.session.problem.disconnect(self._warn)
        self.context.session.opened.disconnect(self._update_enabled)
        self.context.session.closed.disconnect(self._update_enabled)
        for action in self._actions:
            self.context.toolbar.removeAction(action)
            self.context.menu.removeAction(action)
            action.deleteLater()

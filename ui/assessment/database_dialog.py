"""SiteWatch ▸ Open assessment from database: pick a QGIS saved PostgreSQL connection or a
``pg_service.conf`` service, then one of the assessments (schemas) in it.

The location kept in the project names the connection's host, database and user, the
service or the authentication configuration — never a password (a saved connection that keeps
its password in the QGIS settings is refused with what to do instead)."""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from ...core.assessment.postgis_catalog import DatabaseSource, assessment_schemas, database_sources
from ...core.errors import SiteWatchError

NO_SOURCES = (
    "QGIS knows no PostgreSQL database yet: add a connection in the Browser (PostgreSQL ▸ New Connection, "
    "credentials in an authentication configuration) or a service in pg_service.conf."
)


class DatabaseAssessmentDialog(QDialog):
    """Choose a database source and an assessment in it; :meth:`location` is the choice."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open SiteWatch assessment from database")
        self.sources = database_sources()
        self.source_combo = QComboBox()
        self.source_combo.setToolTip("A saved PostgreSQL connection of QGIS, or a pg_service.conf service")
        for source in self.sources:
            self.source_combo.addItem(source.label)
        self.schema_combo = QComboBox()
        self.schema_combo.setToolTip("The assessments in this database: one schema each")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Database", self.source_combo)
        form.addRow("Assessment", self.schema_combo)
        form.addRow(self.status)
        form.addRow(self.buttons)
        self.source_combo.currentIndexChanged.connect(self._fill_schemas)
        self.schema_combo.currentIndexChanged.connect(self._update_open)
        self.resize(520, self.sizeHint().height())
        self.status.setMinimumWidth(480)
        if self.sources:
            self._fill_schemas()
        else:
            self.status.setText(NO_SOURCES)
            self._update_open()

    def source(self) -> DatabaseSource | None:
        index = self.source_combo.currentIndex()
        return self.sources[index] if 0 <= index < len(self.sources) else None

    def choose(self, source_label: str, schema: str) -> None:
        """Select ``source_label`` and the assessment in ``schema`` (as an analyst would)."""
        self.source_combo.setCurrentIndex(self.source_combo.findText(source_label))
        self.schema_combo.setCurrentIndex(self.schema_combo.findData(schema))

    def _fill_schemas(self, *_args: object) -> None:
        self.schema_combo.clear()
        self.status.clear()
        source = self.source()
        if source is not None:
            try:
                found = assessment_schemas(source)
            except SiteWatchError as error:
                self.status.setText(str(error))
                found = None
            if found == []:
                self.status.setText(
                    f"{source.label} holds no SiteWatch assessment your role may read; create one with "
                    "SiteWatch ▸ New assessment (or sitewatch:createassessment) or copy one with "
                    "sitewatch:copyassessment."
                )
            for schema, site_name in found or []:
                label = schema if site_name == schema else f"{site_name} ({schema})"
                self.schema_combo.addItem(label, schema)
        self._update_open()
        self.resize(self.width(), self.sizeHint().height())  # room for the message, if any

    def _update_open(self, *_args: object) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        button.setEnabled(self.schema_combo.currentIndex() >= 0)

    def location(self) -> str:
        """The chosen assessment's location (a SiteWatchError if none is chosen or the
        connection would carry a password)."""
        source, schema = self.source(), self.schema_combo.currentData()
        if source is None or not schema:
            raise SiteWatchError("Choose a database and an assessment in it.")
        return source.location(str(schema)).text()

"""SiteWatch ▸ Import footprints… and Import damage assessment…: the Import dialogs (not modal),
enabled while an assessment that can be written is open."""

from __future__ import annotations

from qgis.PyQt.QtGui import QAction

from ..context import InterfacePart, PluginContext
from ..icons import icon
from .damage_dialog import DamageImportDialog
from .runner import ImportDialogBase
from .structures_dialog import StructureImportDialog


class ImportPart(InterfacePart):
    def __init__(self, context: PluginContext):
        super().__init__(context)
        window = context.iface.mainWindow()
        self.footprints_action = QAction(icon("new_assessment"), "Import footprints…", window)
        self.footprints_action.setToolTip(
            "Import footprints: building footprints you already have (OSM, open building footprints, a "
            "shapefile…) become structures, with a preview of what will be added first"
        )
        self.footprints_action.triggered.connect(self.show_footprints)
        self.damage_action = QAction("Import damage assessment…", window)
        self.damage_action.setToolTip(
            "Import damage assessment: an earlier assessment (UNOSAT, Copernicus EMS, xBD, a SiteWatch "
            "export) becomes observations of the structures, with a preview first"
        )
        self.damage_action.triggered.connect(self.show_damage)
        self._actions = (self.footprints_action, self.damage_action)
        for action in self._actions:
            context.menu.addAction(action)
        context.menu.addSeparator()
        self.dialog: ImportDialogBase | None = None
        for signal in (context.session.opened, context.session.closed):
            signal.connect(self._update_enabled)
            signal.connect(self._drop_dialog)
        self._update_enabled()

    def _update_enabled(self, *_args: object) -> None:
        store = self.context.session.store
        for action in self._actions:
            action.setEnabled(store is not None)

    def _show(self, kind: type[ImportDialogBase]) -> ImportDialogBase:
        if self.dialog is not None and not isinstance(self.dialog, kind) and self.dialog.busy():
            self.dialog.raise_()
            return self.dialog
        if not isinstance(self.dialog, kind):
            self._drop_dialog()
            self.dialog = kind(self.context.iface, self.context.session, self.context.iface.mainWindow())
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def show_footprints(self) -> ImportDialogBase:
        """Show the footprint Import dialog (a new one per assessment opened)."""
        return self._show(StructureImportDialog)

    def show_damage(self) -> ImportDialogBase:
        return self._show(DamageImportDialog)

    def _drop_dialog(self, *_args: object) -> None:
        """Close the dialog (another assessment: its extent CRS and layers change). A running
        task is cancelled; the dialog is deleted with the main window once the task has ended."""
        if self.dialog is not None:
            busy = self.dialog.busy()
            self.dialog.cancel()
            self.dialog.close()
            if not busy:
                self.dialog.deleteLater()
            self.dialog = None

    def unload(self) -> None:
        for signal in (self.context.session.opened, self.context.session.closed):
            signal.disconnect(self._update_enabled)
            signal.disconnect(self._drop_dialog)
        self._drop_dialog()
        for action in self._actions:
            self.context.menu.removeAction(action)
            action.deleteLater()

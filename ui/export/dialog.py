"""sitewatch:exportreport's own Processing dialog, whose *Run* hands the checked parameters
back instead of running the export in the dialog (which kept QGIS waiting and ended on the
Parameters tab at 0 %): the action runs them as a background task (:mod:`.run`)."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtWidgets import QDialog, QMessageBox, QWidget


def export_dialog(algorithm_id: str, parameters: dict[str, Any], parent: QWidget) -> QDialog:
    """The algorithm's dialog prefilled with ``parameters``; after ``exec()``, its ``chosen``
    attribute holds the parameters to run (None when closed without running)."""
    from processing.gui.AlgorithmDialog import AlgorithmDialog  # QGIS's own module; only inside QGIS
    from processing.gui.AlgorithmDialogBase import AlgorithmDialogBase
    from processing.tools import dataobjects
    from qgis.core import QgsApplication

    class ExportDialog(AlgorithmDialog):  # type: ignore[misc]  # QGIS has no stubs: the base is Any
        chosen: dict[str, Any] | None = None

        def runAlgorithm(self) -> None:
            try:
                values = self.createProcessingParameters()
            except AlgorithmDialogBase.InvalidParameterValue as error:
                self.flag_invalid_parameter_value(error.parameter.description(), error.widget)
                return
            ok, message = self.algorithm().checkParameterValues(values, dataobjects.createContext())
            if not ok:
                QMessageBox.warning(self, "Export for reports", message)
                return
            self.chosen = values
            self.accept()

    dialog = ExportDialog(QgsApplication.processingRegistry().createAlgorithmById(algorithm_id), parent=parent)
    dialog.setParameters(parameters)
    run_button = dialog.runButton()
    run_button.setText("Export")
    run_button.setToolTip("Close this dialog and export in the background; a message says where the files went")
    return dialog

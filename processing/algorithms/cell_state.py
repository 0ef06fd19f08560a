"""sitewatch:cellstate — assign a work cell, send it for review, certify or reject it."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterString,
    QgsSettings,
)

from ...core.errors import SiteWatchError
from ...core.teamwork.batch import change_cells, check_moves
from ...core.teamwork.cells import ACTIONS
from ...core.teamwork.coverage import store_coverage
from ..algorithm import Parameters, Results, SiteWatchAlgorithm
from ..assessment_parameter import LOCATION_HELP, AssessmentParameter
from ..choice import ChoiceParameter
from .import_common import default_analyst
from .validation_algorithms import store_of

ANALYST_SETTING = "SiteWatch/analyst"
"""Where the desktop keeps the analyst's name (the default of ANALYST)."""


class CellState(SiteWatchAlgorithm):
    NAME = "cellstate"
    DISPLAY_NAME = "Change work cell state"
    GROUP = "Team"
    GROUP_ID = "team"
    HELP = (
        "Moves work cells through the review: assign (unassigned or in progress → in progress, to "
        "ASSIGNEE), unassign (in progress → unassigned), submit (in progress → awaiting review, by the "
        "cell's analyst), certify (awaiting review → certified) or reject (→ in progress, with a "
        "COMMENT) by another analyst, reopen (certified → in progress, with a COMMENT). Every move is "
        "recorded with who and when (the cell_transitions table); on PostGIS the database refuses a "
        "review by the cell's analyst or from the database role that submitted it."
    )
    PARAMETER_HELP = {
        "ASSESSMENT": f"the assessment: {LOCATION_HELP}.",
        "CELLS": (
            "the cell id, or several separated by commas (e.g. W-0001,W-0004); every move is checked "
            "first, so one refused move leaves all as they were."
        ),
        "ACTION": ", ".join(ACTIONS) + ".",
        "ASSIGNEE": "assign: the analyst who gets the cells.",
        "COMMENT": "why (required to reject or reopen).",
        "ANALYST": "who does it (default: the SiteWatch analyst name of the desktop, else the login name).",
    }

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(AssessmentParameter("ASSESSMENT", "Assessment"))
        self.addParameter(QgsProcessingParameterString("CELLS", "Cell ids"))
        self.addParameter(ChoiceParameter("ACTION", "Action", ACTIONS))
        self.addParameter(QgsProcessingParameterString("ASSIGNEE", "Assign to", optional=True))
        self.addParameter(QgsProcessingParameterString("COMMENT", "Comment", optional=True))
        self.addParameter(QgsProcessingParameterString("ANALYST", "Analyst", optional=True))
        self.addOutput(QgsProcessingOutputString("STATE", "State of the cells now"))
        self.addOutput(QgsProcessingOutputNumber("CERTIFIED_CELLS", "Certified cells"))
        self.addOutput(QgsProcessingOutputNumber("TOTAL_CELLS", "Cells"))
        self.addOutput(QgsProcessingOutputString("SUMMARY", "How much is certified"))

    def _request(
        self, parameters: Parameters, context: QgsProcessingContext
    ) -> tuple[list[str], str, str, str | None, str | None]:
        """(cell ids, action, analyst, assignee, comment) as given."""
        action = self.parameterDefinition("ACTION").names(parameters, context)[0]
        cell_ids = [c.strip() for c in self.parameterAsString(parameters, "CELLS", context).split(",") if c.strip()]
        analyst = self.parameterAsString(parameters, "ANALYST", context).strip()
        analyst = analyst or QgsSettings().value(ANALYST_SETTING, "", type=str).strip() or default_analyst()
        assignee = self.parameterAsString(parameters, "ASSIGNEE", context).strip() or None
        comment = self.parameterAsString(parameters, "COMMENT", context).strip() or None
        return cell_ids, action, analyst, assignee, comment

    def check_inputs(self, parameters: Parameters, context: QgsProcessingContext) -> None:
        check_moves(store_of(self, parameters, context), *self._request(parameters, context))

    def processAlgorithm(
        self, parameters: Parameters, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Results:
        store = store_of(self, parameters, context)
        cell_ids, action, analyst, assignee, comment = self._request(parameters, context)
        try:
            states = [c.state for c in change_cells(store, cell_ids, action, analyst, assignee, comment)]
            covered = store_coverage(store)
        except SiteWatchError as error:
            raise QgsProcessingException(str(error)) from None
        feedback.pushInfo(f"{analyst}: {action} {', '.join(cell_ids)}. {covered.sentence()}.")
        return {
            "STATE": ",".join(dict.fromkeys(states)),
            "CERTIFIED_CELLS": covered.certified_cells,
            "TOTAL_CELLS": covered.cells,
            "SUMMARY": covered.sentence(),
        }

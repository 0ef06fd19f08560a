"""Two analysts recording the same structure at the same date: the question the second one is
asked (keep theirs / keep mine), naming who changed it, and the answer's message."""

from __future__ import annotations

from qgis.PyQt.QtWidgets import QMessageBox

from ...core import values
from ...core.assessment.observations import Observation


def _state(observation: Observation) -> str:
    label = values.label_of(values.STATUSES, observation.status)
    if observation.confidence:
        label += f" ({values.label_of(values.CONFIDENCES, observation.confidence).lower()} confidence)"
    return label


def _who(observation: Observation) -> str:
    return observation.analyst or "another analyst"


def conflict_question(mine: Observation, theirs: Observation | None) -> str:
    """The question shown when ``mine`` meets a state another analyst stored meanwhile
    (``theirs``; None when they removed it)."""
    where = f"{mine.structure_id} at {mine.observed_on}"
    if theirs is None:
        change = "Another analyst removed its observation since it was shown to you."
    else:
        change = f"{_who(theirs)} recorded it {_state(theirs)} at {theirs.recorded_at}, since it was shown to you."
    return (
        f"{where}: {change}\n\nKeep mine ({_state(mine)}) — theirs stays in the history — or keep theirs "
        "(nothing of yours is written)?"
    )


def kept_theirs_message(mine: Observation, theirs: Observation | None) -> str:
    where = f"{mine.structure_id} at {mine.observed_on}"
    if theirs is None:
        return f"{where}: kept as the other analyst left it (removed); yours was not written."
    return f"{where}: kept {_who(theirs)}'s {_state(theirs)}; yours was not written."


def ask_keep_mine(question: str) -> bool:
    """Ask the analyst with "Keep mine" / "Keep theirs" buttons; True for keep mine."""
    box = QMessageBox(QMessageBox.Icon.Question, "SiteWatch: changed by another analyst", question)
    mine = box.addButton("Keep mine", QMessageBox.ButtonRole.AcceptRole)
    theirs = box.addButton("Keep theirs", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(theirs)
    box.exec()
    return box.clickedButton() is mine

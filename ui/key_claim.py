"""The active SiteWatch map tool's single keys win over application shortcuts on the same key.

Before delivering a key that is also some action's shortcut, Qt asks the focus widget with a
ShortcutOverride event; accepting it hands the key to the widget instead of the shortcut. QGIS's
map canvas does not ask its map tool (measured in QGIS 3.40: with a map tool active, a window
shortcut ``J`` fired and the tool never saw the key), so a shortcut a user or another plugin put
on ``N`` or ``3`` would silently take it from the review tool. Keys with Ctrl, Alt, Meta or
Shift are left to QGIS.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from qgis.PyQt.QtCore import QEvent, QObject, Qt

CHORD_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
    | Qt.KeyboardModifier.ShiftModifier
)


class KeyClaim(QObject):
    """An event filter for the canvas while a tool is active: accepts the ShortcutOverride of
    the keys ``keys()`` returns, so they reach the tool's ``keyPressEvent``."""

    def __init__(self, keys: Callable[[], Collection[int]], parent: QObject | None = None):
        super().__init__(parent)
        self.keys = keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and not event.modifiers() & CHORD_MODIFIERS
            and event.key() in self.keys()
        ):
            event.accept()
            return True
        return False

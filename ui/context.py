"""What every part of the SiteWatch interface is given, and the shape each part has.

``plugin.py`` builds one :class:`PluginContext` and one instance of each
:class:`InterfacePart`; each part adds its actions, docks and tools in ``__init__`` and
takes all of them away again in ``unload()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from qgis.gui import QgisInterface
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from .assessment.session import AssessmentSession


@dataclass
class PluginContext:
    iface: QgisInterface
    session: AssessmentSession
    toolbar: QToolBar
    menu: QMenu


class InterfacePart:
    """One feature of the interface (assessment actions, imagery panel, ...)."""

    def __init__(self, context: PluginContext):
        self.context = context

    def unload(self) -> None:
        """Remove everything this part added."""

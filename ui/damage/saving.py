"""Copying and saving the Damage dock's table (CSV) and chart (PNG): written aside, then moved
in place, so a failed save never leaves half a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QApplication, QFileDialog, QWidget

from ...core.damage.table import DamageTable, csv_text
from ...core.errors import SiteWatchError
from .. import settings
from ..context import PluginContext
from ..messages import notify
from .chart import DamageChart


class DamageSaving:
    """The dock's copy and save actions (mixed into :class:`.dock.DamageDock`)."""

    table: DamageTable | None
    chart: DamageChart
    context: PluginContext

    def copy_csv(self) -> None:
        if self.table is not None:
            QApplication.clipboard().setText(csv_text(self.table))

    def copy_png(self) -> None:
        if self.table is not None:
            QApplication.clipboard().setImage(self.chart.image())

    def save_csv(self, path: str) -> None:
        """Write the table as CSV to ``path`` (written aside, then moved in place)."""
        if self.table is None:
            raise SiteWatchError("There is no damage table yet: open an assessment first.")
        target = Path(path)
        temp = target.with_name(f".{target.name}.tmp")
        try:
            temp.write_text(csv_text(self.table), encoding="utf-8")
            os.replace(temp, target)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise SiteWatchError(f"Cannot write '{target}': {error.strerror}.") from None

    def save_png(self, path: str) -> None:
        """Write the chart as a PNG image to ``path`` (written aside, then moved in place)."""
        if self.table is None:
            raise SiteWatchError("There is no damage table yet: open an assessment first.")
        target = Path(path)
        temp = target.with_name(f".{target.stem}.tmp.png")
        if not self.chart.image().save(str(temp), "PNG"):
            temp.unlink(missing_ok=True)
            raise SiteWatchError(f"Cannot write '{target}': check that the folder is writable.")
        os.replace(temp, target)

    def _ask_save(self, title: str, pattern: str, save: Callable[[str], object]) -> None:
        parent = self if isinstance(self, QWidget) else None
        path, _ = QFileDialog.getSaveFileName(parent, title, settings.last_folder(), pattern)
        if not path:
            return
        try:
            save(path)
        except SiteWatchError as error:
            notify(self.context.iface, str(error), Qgis.MessageLevel.Critical)
            return
        settings.set_last_folder(str(Path(path).parent))
        notify(self.context.iface, f"Saved {path}", Qgis.MessageLevel.Success)

    def _ask_save_csv(self) -> None:
        self._ask_save("Save damage table", "CSV (*.csv)", self.save_csv)

    def _ask_save_png(self) -> None:
        self._ask_save("Save damage chart", "PNG image (*.png)", self.save_png)

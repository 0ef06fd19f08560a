"""What else the validator could read the first review in while validating blind: the
``observations`` and ``observation_history`` tables leave the layer tree view (and are
unchecked), the Damage panel's counts per compound give way to one line; all back on leaving."""

from __future__ import annotations

from qgis.core import QgsLayerTreeModel, QgsProject
from qgis.gui import QgsLayerTreeView

from sitewatch.tests.helpers.plugin import wait_until_idle
from sitewatch.ui.damage.part import DamagePanel


def _validate(part, sample_id: str) -> None:
    panel = part.validation
    panel.samples.setCurrentIndex(panel.samples.findData(sample_id))
    panel.validate_button.click()


def _tree_view() -> tuple[QgsLayerTreeView, QgsLayerTreeModel]:
    """A layer tree view of the project, as QGIS's main window has (and its model, kept alive)."""
    view = QgsLayerTreeView()
    tree = QgsLayerTreeModel(QgsProject.instance().layerTreeRoot())
    view.setModel(tree)
    return view, tree


def _tree_names(view: QgsLayerTreeView) -> set[str]:
    """The layer and group names ``view`` lists."""
    model = view.model()
    names = set()
    pending = [model.index(row, 0) for row in range(model.rowCount())]
    while pending:
        index = pending.pop()
        node = view.index2node(index)
        if node is None:  # a legend entry of a layer
            continue
        names.add(node.name())
        pending += [model.index(row, 0, index) for row in range(model.rowCount(index))]
    return names


def _node(session, name: str):
    return QgsProject.instance().layerTreeRoot().findLayer(session.layer(name).id())


def test_first_review_tables_leave_the_layer_tree_and_come_back(part, sample):
    sample_id, _ = sample
    session = part.context.session
    observations, history = (session.layer(n).name() for n in ("observations", "observation_history"))
    _node(session, "observation_history").setItemVisibilityChecked(False)  # the analyst's own choice
    view, _tree = _tree_view()  # open before the mode starts, as the main window's
    assert {observations, history} <= _tree_names(view)
    _validate(part, sample_id)
    names = _tree_names(view)
    assert observations not in names and history not in names
    assert session.layer("structures").name() in names
    assert not _node(session, "observations").itemVisibilityChecked()
    part.validation.validate_button.click()
    assert {observations, history} <= _tree_names(view)
    assert _node(session, "observations").itemVisibilityChecked()
    assert not _node(session, "observation_history").itemVisibilityChecked()  # as the analyst left it
    assert not session.validating_blind


def test_damage_counts_are_hidden_while_validating_blind(part, sample):
    sample_id, _ = sample
    damage = DamagePanel(part.context)
    try:
        dock = damage.dock
        dock.show()
        dock.refresh()
        wait_until_idle(dock)
        assert dock.tabs.isVisible() and dock.summary.isVisible() and not dock.blind_note.isVisible()
        assert dock.grid.rowCount() > 0
        _validate(part, sample_id)
        assert not dock.tabs.isVisible() and not dock.summary.isVisible()
        assert dock.blind_note.isVisible()
        assert "hidden while validating blind" in dock.blind_note.text()
        part.validation.validate_button.click()
        assert dock.tabs.isVisible() and dock.summary.isVisible() and not dock.blind_note.isVisible()
        # closing the assessment while validating ends the blindness too
        _validate(part, sample_id)
        part.context.session.close()
        assert dock.tabs.isVisible() and not dock.blind_note.isVisible()
    finally:
        damage.unload()

"""Work cells on either store: the same rules on a GeoPackage and in PostGIS."""

from __future__ import annotations

import pytest
from qgis.core import QgsGeometry, QgsRectangle

from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.teamwork.making import grid_cells

SITE = QgsRectangle(500000, 4000000, 500200, 4000100)
"""A 200 m × 100 m site: a 2 × 1 grid makes W-0001 (west, A1) and W-0002 (east, B1)."""


def square(x: float, y: float, size: float = 10) -> QgsGeometry:
    return QgsGeometry.fromRect(QgsRectangle(x, y, x + size, y + size))


class Team:
    """One assessment and its analysts: ``as_(name)`` is the store as that analyst uses it — on
    PostGIS connected with a database role of their own, as a team works."""

    def __init__(self, store, cluster=None):
        self.store = store
        self.cluster = cluster
        self._stores = {}

    def as_(self, name: str):
        if self.cluster is None:
            return self.store
        name = name.lower()
        if name not in self._stores:
            from sitewatch.core.assessment.postgis import PostgisStore
            from sitewatch.tests.helpers.postgres import add_analyst_role

            schema = self.store.database.schema
            location = add_analyst_role(self.cluster, schema, f"{name}_{schema}")
            self._stores[name] = PostgisStore.open(location)
        return self._stores[name]

    def close(self) -> None:
        for store in self._stores.values():
            store.close()


@pytest.fixture(params=["geopackage", "postgis"])
def team(request):
    """An assessment (both stores) with three structures, two in the west cell and one in the
    east one, split into a 2 × 1 grid by its lead."""
    if request.param == "geopackage":
        site = Team(request.getfixturevalue("assessment"))
    else:
        site = Team(request.getfixturevalue("pg_assessment"), request.getfixturevalue("postgres_cluster"))
    store = site.store
    for number, x in enumerate((500010, 500050, 500150), start=1):
        attributes = {"structure_id": f"S-000{number}", "type": "bunker"}
        store.add_feature(FeatureRecord("structures", attributes, square(x, 4000040)))
    store.add_work_cells(grid_cells(SITE, 2, 1))
    yield site
    site.close()

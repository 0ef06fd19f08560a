"""SiteWatch's own exports imported back (FORMAT=sitewatch): export, import into an empty
assessment, export again → the same observations and the same compound damage table."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from qgis.core import QgsCoordinateReferenceSystem

from sitewatch.core.assessment.geopackage import GeoPackageStore
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.export.package import ExportRequest, export_assessment
from sitewatch.core.importing.damage import DamageOptions, import_damage
from sitewatch.core.importing.sources import open_source
from sitewatch.core.importing.structures import StructureOptions, import_structures
from sitewatch.tests.helpers.export_site import AFTER, BEFORE, build_site

PREFIX = "Tall_Hamdan_site_2020-01-08"


def rows(path: Path, current_only: bool = False) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        table = list(csv.DictReader(stream))
    return [row for row in table if not (current_only and row["archived"])]


def without_archive_time(path: Path) -> list[dict[str, str]]:
    """Every row, current and archived, with ``archived`` only saying whether it is."""
    return [{**row, "archived": "yes" if row["archived"] else ""} for row in rows(path)]


def empty_like(store: GeoPackageStore, path: Path) -> GeoPackageStore:
    """A new assessment of the same site holding only its images, which no import brings (the
    export's imagery table has neither footprints nor paths)."""
    copy = GeoPackageStore.create(path, QgsCoordinateReferenceSystem("EPSG:32637"), site_name="Tall Ḥamdān site")
    for layer_name, keys in (("imagery", ("image_id", "acquired", "source", "sensor", "uri", "gsd_m")),):
        copy.add_features(
            layer_name,
            [
                {**{key: feature[key] for key in keys}, "geometry": feature.geometry().asWkt()}
                for feature in store.layer(layer_name).getFeatures()
            ],
        )
    return copy


def numbers_within(table: list[dict[str, str]], tolerance: float) -> list[dict[str, object]]:
    """The table with its real numbers as floats, ``pytest.approx`` within ``tolerance`` (relative)
    when one is given."""

    def number(value: str) -> object:
        return pytest.approx(float(value), rel=tolerance) if tolerance else float(value)

    return [{key: number(value) if "." in value else value for key, value in row.items()} for row in table]


@pytest.mark.parametrize(
    ("scheme", "formats", "structures_file", "damage_file", "area_tolerance"),
    [
        ("sitewatch", ("GeoPackage",), f"{PREFIX}.gpkg|layername=structures", f"{PREFIX}.gpkg", 0),
        ("unosat", ("ESRI Shapefile",), f"{PREFIX}_structures.shp", f"{PREFIX}_observations.csv", 0),
        # GeoJSON keeps 7 decimals of degrees (RFC 7946, ~1 cm): 20 m footprints' areas move by ~1e-4
        ("sitewatch", ("GeoJSON",), f"{PREFIX}_structures.geojson", f"{PREFIX}_structures.geojson", 1e-3),
    ],
)
def test_export_import_export_gives_the_same_observations_and_damage_table(
    tmp_path, scheme, formats, structures_file, damage_file, area_tolerance
):
    site = build_site(tmp_path / "site")
    first = tmp_path / "first"
    export_assessment(site, ExportRequest(str(first), AFTER, BEFORE, formats=formats, scheme=scheme))

    target = empty_like(site, tmp_path / "again.gpkg")
    import_structures(target, open_source(str(first / structures_file)), StructureOptions("Importer", "type"))
    result = import_damage(target, str(first / damage_file), DamageOptions(analyst="Importer"))
    assert (result.format, result.recorded, result.unmatched, result.created) == ("sitewatch", 23, 0, 0)
    assert (result.history, result.history_left) == (1, 0)  # S-0002's replaced observation is carried
    assert result.compounds == len(list(site.layer("compounds").getFeatures()))  # with names and structures

    second = tmp_path / "second"
    export_assessment(target, ExportRequest(str(second), AFTER, BEFORE, formats=formats, scheme=scheme))
    assert rows(second / f"{PREFIX}_observations.csv", True) == rows(first / f"{PREFIX}_observations.csv", True)
    # the history too: the same rows, archived as replaced at the time of the import
    assert without_archive_time(second / f"{PREFIX}_observations.csv") == without_archive_time(
        first / f"{PREFIX}_observations.csv"
    )
    assert [(o.structure_id, o.status, reason) for o, _, reason in target.history()] == [
        ("S-0002", site.history()[0][0].status, "replaced")
    ]
    again, before = rows(second / f"{PREFIX}_summary.csv"), rows(first / f"{PREFIX}_summary.csv")
    assert numbers_within(again, 0) == numbers_within(before, area_tolerance)
    assert [(o.analyst, o.confidence, o.image_id) for o in target.observations()][:2] == [
        ("Zoë Analyst", "high", "IMG-0001"),
        ("Zoë Analyst", "medium", "IMG-0002"),
    ]


def test_labels_outside_the_scheme_and_unknown_structures_refuse_everything(tmp_path):
    site = build_site(tmp_path / "site")
    first = tmp_path / "first"
    export_assessment(site, ExportRequest(str(first), AFTER, BEFORE, formats=("CSV",)))
    observations = first / f"{PREFIX}_observations.csv"
    text = observations.read_text(encoding="utf-8-sig")
    observations.write_text(text.replace(",destroyed,", ",flattened,").replace("S-0012", "S-9999"), "utf-8-sig")
    target = empty_like(site, tmp_path / "again.gpkg")
    import_structures(target, open_source(str(first / f"{PREFIX}_structures.csv")), StructureOptions("I", "type"))
    before = (tmp_path / "again.gpkg").read_bytes()
    with pytest.raises(SiteWatchError, match=r"'flattened' \(3\).*'S-9999' \(2\)"):
        import_damage(target, str(observations), DamageOptions(analyst="I", format="sitewatch"))
    assert (tmp_path / "again.gpkg").read_bytes() == before


def test_a_file_that_is_not_an_export_is_refused_by_name(tmp_path, assessment):
    stray = tmp_path / "notes_observations.csv"
    stray.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SiteWatchError, match="'notes_observations.csv' is not a SiteWatch export"):
        import_damage(assessment, str(stray), DamageOptions(analyst="I", format="sitewatch"))

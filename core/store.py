"""Alias kept for scripts written against SiteWatch 0.1 (the README's Python API): the store now
lives in :mod:`sitewatch.core.assessment.store` and :mod:`sitewatch.core.assessment.geopackage`."""

from .assessment.geopackage import GeoPackageStore
from .assessment.store import AssessmentStore, open_assessment

__all__ = ["AssessmentStore", "GeoPackageStore", "open_assessment"]

"""Alias kept for scripts written against SiteWatch 0.1 (the README's Python API): observations
now live in :mod:`sitewatch.core.assessment.observations`."""

from .assessment.observations import Observation
from .assessment.status_at import status_at

__all__ = ["Observation", "status_at"]

"""The generated sample site's truth, read only to check an outcome."""

from __future__ import annotations


def truth_at_after_date(site) -> dict[str, str]:
    from sitewatch.sample.generate_site import truth_statuses

    return truth_statuses(site.assessment_gpkg, site.after_date)

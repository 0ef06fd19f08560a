"""The certified part of an assessment is only read: an import into it is refused at once,
before its source is read."""

from __future__ import annotations

import pytest

from sitewatch.core.assessment.records import FeatureRecord
from sitewatch.core.errors import SiteWatchError
from sitewatch.core.teamwork.certified import CertifiedView

from .conftest import square


def test_a_streamed_import_into_the_certified_part_is_refused_before_reading(team):
    view = CertifiedView(team.store)
    read: list[int] = []

    def batches():
        read.append(1)
        yield [FeatureRecord("structures", {"structure_id": "S-0009", "type": "bunker"}, square(500090, 4000040))]

    with pytest.raises(SiteWatchError, match="certified part of .* is only read"):
        view.import_streamed(batches())
    assert read == []
    assert team.store.get_feature("structures", "S-0009") is None

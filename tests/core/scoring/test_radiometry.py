"""The after pass is mapped onto the before pass's values by the pixels that did not change."""

import numpy as np

from sitewatch.core.scoring.radiometry import fit_normalisation
from sitewatch.core.scoring.raster_pair import RasterPair
from tests.helpers.change_pair import ORIGIN, PIXEL, SIZE, write_tif

GAIN, OFFSET = 1.09, 3.0
"""The after pass: after = GAIN × before + OFFSET (before ≈ after / GAIN − OFFSET / GAIN)."""


def _pair(tmp_path, shadow_share: float, roof_level: float):
    rng = np.random.default_rng(7)
    before = rng.normal(150, 25, (3, SIZE, SIZE))  # a textured scene, values 50–250
    before[:, : SIZE // 4, : SIZE // 4] = roof_level + rng.normal(0, 2, (3, SIZE // 4, SIZE // 4))
    after = GAIN * before + OFFSET + rng.normal(0, 2.5, before.shape)
    shadows = rng.random((SIZE, SIZE)) < shadow_share  # a new sun: more dark pixels after
    after[:, shadows] *= 0.45
    before_path = write_tif(tmp_path / "before.tif", np.clip(before, 0, 255).round(), ORIGIN, PIXEL)
    after_path = write_tif(tmp_path / "after.tif", np.clip(after, 0, 255).round(), ORIGIN, PIXEL)
    return RasterPair(str(before_path), str(after_path))


def test_gain_and_offset_come_from_the_unchanged_pixels_when_shadows_grew(tmp_path):
    # 20 % of the after pixels darkened (longer shadows) and a quarter of dark roofs: a fit of
    # the two distributions' percentiles tilts; the paired pixels that kept their value do not
    pair = _pair(tmp_path, 0.2, 70.0)
    fitted = fit_normalisation(pair, (0, 0, SIZE, SIZE))
    assert np.allclose(fitted.gain, 1 / GAIN, rtol=0.02), fitted.describe()
    assert np.allclose(fitted.offset, -OFFSET / GAIN, atol=3.0), fitted.describe()
    # an unchanged dark roof (70 DN) maps back within about a noise sigma
    mapped = fitted.gain * (GAIN * 70 + OFFSET) + fitted.offset
    assert np.all(np.abs(mapped - 70) < 2.5), mapped


def test_a_pair_without_change_keeps_the_identity_of_its_gain(tmp_path):
    pair = _pair(tmp_path, 0.0, 150.0)
    fitted = fit_normalisation(pair, (0, 0, SIZE, SIZE))
    assert np.allclose(fitted.gain, 1 / GAIN, rtol=0.02), fitted.describe()

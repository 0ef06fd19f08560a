"""The deterministic synthetic sample site (before/after images and the ground truth)."""

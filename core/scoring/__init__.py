"""Change scoring: how much each structure changed between a before and an after image, and the
damage class it suggests (the *change score*; stored per image pair for the review queue)."""

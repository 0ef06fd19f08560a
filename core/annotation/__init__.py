"""Annotation: drawn features and their checks, compounds, the undo stack and the review state."""

"""Bringing real data into an assessment: footprints, earlier damage assessments."""

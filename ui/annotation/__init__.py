"""Annotation in the interface: drawing tools, the review tool and queue, status styling."""

"""The team's work cells on the desktop: the Cells dock, the review queue's cell filters, the
Damage panel limited to certified cells."""

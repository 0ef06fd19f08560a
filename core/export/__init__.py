"""Export for reports: the vector package in several formats, the CSV tables, the manifest."""

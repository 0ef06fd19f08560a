"""Team work: work cells assigned to analysts, their review, and how much is certified."""

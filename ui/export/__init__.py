"""The Export for reports action."""

"""The Damage panel: table per compound, chart and summary, computed off the UI thread."""

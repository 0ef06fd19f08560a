"""SiteWatch user interface: thin adapters over ``core``."""

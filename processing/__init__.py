"""SiteWatch Processing provider and algorithms: thin adapters over ``core``."""

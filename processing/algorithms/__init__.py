"""The SiteWatch algorithms, one module each."""

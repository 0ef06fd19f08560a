"""Shared builders of the tests: sites on disk, images, the plugin on the test canvas.

Test modules import them as ``sitewatch.tests.helpers.<module>``; no test module imports
another test module."""

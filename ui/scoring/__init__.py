"""The change score action: sitewatch:changescore as a background task for the review queue."""

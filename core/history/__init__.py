"""Site history: what stood, what was damaged, built, rebuilt and removed, image date by image date."""

"""Before/after comparison on the canvas: swipe, flicker, opacity and side by side."""

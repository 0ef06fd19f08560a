"""The Imagery panel, its image layers and overview builds."""

"""Damage per compound: the inputs read from an assessment and the table computed from them."""

"""The assessment: its contract (layers and fields), the store that is the one gateway to it,
observations and the status-at-date rule, and the default styles kept inside it."""

"""Validation: a stratified sample for a blind second review, agreement between reviews and
totals corrected by the confusion matrix with confidence intervals."""

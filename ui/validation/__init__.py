"""The validate mode of the review queue: a blind second review of a validation sample."""

"""The Import dialogs: footprints and earlier damage assessments, previewed then imported."""

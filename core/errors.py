"""Errors whose message is meant for the analyst: it names the file, layer or field and
says what to do. UI and processing show ``str(error)`` as it is."""


class SiteWatchError(Exception):
    """A problem the user can act on; the message is complete and shown verbatim."""


class NotAnAssessmentError(SiteWatchError):
    """A file that is not (or no longer) a valid SiteWatch assessment."""

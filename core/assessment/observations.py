"""Observations and the status-at-date rule.

The status of a structure at a date D is the status of its observation with the latest
``observed_on`` on or before D (carried forward). With none it is unobserved (``None``).
Dates are ISO ``YYYY-MM-DD`` strings, so they order as text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from .. import values
from ..errors import SiteWatchError


def now_iso() -> str:
    """The current UTC time as GeoPackage stores DATETIME values (``YYYY-MM-DDTHH:MM:SS.SSSZ``)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_date(text: str, what: str = "date") -> str:
    """``text`` if it is an ISO date ``YYYY-MM-DD``; otherwise a SiteWatchError naming it.

    Only that exact form is accepted: ``date.fromisoformat`` alone (Python 3.11+) also takes
    ``20200108`` or ``2020-W02-3``, which would be stored as they are and not order as dates.
    """
    try:
        if not _ISO_DATE.fullmatch(str(text)):
            raise ValueError(text)
        return dt.date.fromisoformat(str(text)).isoformat()
    except ValueError:
        raise SiteWatchError(f"The {what} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2020-01-08.") from None


def check_codes(status: str, confidence: str | None, where: str) -> None:
    """A SiteWatchError unless ``status`` and ``confidence`` (None allowed) are SiteWatch codes;
    ``where`` ends the message ("for structure S-0001")."""
    if status not in values.codes(values.STATUSES):
        raise SiteWatchError(
            f"Unknown status '{status}' {where}; use one of {', '.join(values.codes(values.STATUSES))}."
        )
    if confidence is not None and confidence not in values.codes(values.CONFIDENCES):
        raise SiteWatchError(
            f"Unknown confidence '{confidence}' {where}; use one of {', '.join(values.codes(values.CONFIDENCES))}."
        )


@dataclass(frozen=True)
class Observation:
    """The state of one structure as seen on one image date."""

    structure_id: str
    observed_on: str
    status: str
    image_id: str | None = None
    confidence: str | None = None
    analyst: str | None = None
    recorded_at: str = field(default_factory=now_iso)
    notes: str | None = None

    def validated(self) -> Observation:
        """This observation (its date in ``YYYY-MM-DD`` form) if its codes and date are valid;
        otherwise a SiteWatchError."""
        if not self.structure_id:
            raise SiteWatchError("An observation needs a structure_id.")
        observed_on = check_date(self.observed_on, f"observation date of structure {self.structure_id}")
        check_codes(self.status, self.confidence, f"for structure {self.structure_id}")
        return replace(self, observed_on=observed_on)

"""Reading an image's acquisition date: acquisition metadata, then the file name checked against
the file-writing time.

A date is only returned when it is unambiguous. Otherwise the reading is ``None`` with a
reason the interface shows while asking the analyst; a wrong date is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from ..assessment.observations import check_date
from ..errors import SiteWatchError

EARLIEST = dt.date(1960, 1, 1)
"""No image before this date is accepted (the first reconnaissance satellites)."""

ACQUISITION_KEYS = (
    "ACQUISITIONDATETIME",
    "ACQUISITION_DATETIME",
    "ACQUISITION_DATE",
    "ACQUISITIONDATE",
    "DATE_ACQUIRED",
    "FIRSTLINETIME",
    "EARLIESTACQTIME",
    "SENSING_TIME",
    "SENSING_START",
    "DATATAKE_SENSING_START",
    "PRODUCT_START_TIME",
    "START_TIME",
    "IMAGE_DATE",
    "IMAGINGDATE",
    "SCENE_CENTER_TIME",
    "DATE_TIME_ORIGINAL",
)
"""Metadata keys (upper case, without an ``IMAGE_1.``-like prefix) naming when the image
was taken. They win over ``TIFFTAG_DATETIME``, which is often when the file was written."""

FILE_TIME_KEYS = ("TIFFTAG_DATETIME", "DATETIME")

MONTHS = {
    m: i
    for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)
}

_ISO_LIKE = re.compile(r"(?<!\d)(\d{4})[-:_./](\d{1,2})[-:_./](\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?:[T_]?\d{4,6}Z?)?(?!\d)")
_DAY_MONTH_NAME = re.compile(r"(?<!\d)(\d{1,2})(" + "|".join(MONTHS) + r")(\d{2}|\d{4})(?!\d)", re.IGNORECASE)
_DG_STAMP = re.compile(r"(?<!\d)(\d{2})(" + "|".join(MONTHS) + r")(\d{2})(\d{6})(?!\d)", re.IGNORECASE)
"""Maxar/DigitalGlobe product names: ``20MAR12083027`` is 2020-03-12 08:30:27."""
_NUMERIC_NOT_ISO = re.compile(r"(?<!\d)(\d{1,2})[-_./](\d{1,2})[-_./](\d{2}|\d{4})(?!\d)")


@dataclass(frozen=True)
class DateReading:
    """The outcome of reading one image's date."""

    date: str | None
    """ISO ``YYYY-MM-DD``, or None when absent or ambiguous."""
    origin: str
    """Where it came from (``metadata IMAGERY:ACQUISITIONDATETIME``, ``file name``) or ``none``."""
    reason: str | None = None
    """Why there is no date (shown to the analyst when asking), or a note on a choice made."""


def check_acquired(value: str | dt.date, today: dt.date | None = None) -> str:
    """``value`` as an ISO date if it is a plausible acquisition date; else a SiteWatchError."""
    today = today or dt.date.today()
    if isinstance(value, dt.date):
        day = value
    else:
        day = dt.date.fromisoformat(check_date(str(value).strip(), "acquisition date"))
    if day > today:
        raise SiteWatchError(
            f"The acquisition date {day.isoformat()} is in the future; give the date the image was taken."
        )
    if day < EARLIEST:
        raise SiteWatchError(
            f"The acquisition date {day.isoformat()} is before 1960; no satellite image is that old. Check the date."
        )
    return day.isoformat()


def check_not_future(value: str, label: str, today: dt.date | None = None) -> str:
    """``value`` (an ISO date already checked for its form) unless it is after today: a date the
    statuses are taken at cannot be later than the latest image, so a future one is a typo."""
    today = today or dt.date.today()
    if dt.date.fromisoformat(value) > today:
        raise SiteWatchError(
            f"The {label} {value} is in the future (today is {today.isoformat()}); no image or observation "
            "can be from then. Check the date."
        )
    return value


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    """Two-digit years are read as 1960–2059 (the range any image can have)."""
    value = int(text)
    if len(text) == 2:
        return 1900 + value if value >= 60 else 2000 + value
    return value


def parse_timestamp(text: str) -> dt.date | None:
    """The date in one metadata value (``2019:09:01 10:32:00``, ``2019-09-01T10:32:00.5Z``,
    ``20190901``, ``01-SEP-2019``), or None."""
    text = str(text).strip()
    match = _ISO_LIKE.search(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = _COMPACT.fullmatch(text) or _COMPACT.match(text)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = re.search(
        r"(?<!\d)(\d{1,2})[- ]?(" + "|".join(MONTHS) + r")[a-z]*[- ]?(\d{4}|\d{2})(?!\d)", text, re.IGNORECASE
    )
    if match:
        return _date(_year(match[3]), MONTHS[match[2].upper()], int(match[1]))
    return None


def _plain_key(key: str) -> str:
    """``IMAGE_1.firstLineTime`` → ``FIRSTLINETIME``."""
    return key.rsplit(".", 1)[-1].upper()


def _distinct(found: Iterable[tuple[str, dt.date]]) -> dict[dt.date, list[str]]:
    dates: dict[dt.date, list[str]] = {}
    for where, day in found:
        dates.setdefault(day, []).append(where)
    return dates


def _metadata_dates(
    metadata: Mapping[str, Mapping[str, str]],
) -> tuple[dict[dt.date, list[str]], dict[dt.date, list[str]]]:
    """The distinct dates of the acquisition keys and of the file-writing keys, each
    ``{date: [where, ...]}``."""
    acquisition: list[tuple[str, dt.date]] = []
    file_time: list[tuple[str, dt.date]] = []
    for domain, items in metadata.items():
        for key, value in items.items():
            plain = _plain_key(key)
            bucket = acquisition if plain in ACQUISITION_KEYS else file_time if plain in FILE_TIME_KEYS else None
            if bucket is None:
                continue
            day = parse_timestamp(value)
            if day is not None:
                bucket.append((f"{domain}:{key}" if domain else key, day))
    return _distinct(acquisition), _distinct(file_time)


def _metadata_reading(dates: dict[dt.date, list[str]], kind: str, today: dt.date | None) -> DateReading | None:
    """The reading of one kind of metadata date; None when that kind is absent."""
    if len(dates) > 1:
        listed = "; ".join(f"{', '.join(w)} = {d.isoformat()}" for d, w in sorted(dates.items()))
        return DateReading(None, "metadata", f"the image metadata gives different {kind} dates ({listed})")
    if dates:
        day, where = next(iter(dates.items()))
        return _checked(day, f"metadata {where[0]}", today)
    return None


def _name_dates(stem: str) -> dict[dt.date, list[str]]:
    """The distinct unambiguous dates written in a file name, ``{date: [text, ...]}``."""
    found: list[tuple[str, dt.date]] = []
    spans: list[tuple[int, int]] = []

    def add(match: re.Match[str], day: dt.date | None) -> None:
        if day is not None and not any(s <= match.start() < e for s, e in spans):
            found.append((match[0], day))
            spans.append(match.span())

    for match in _DG_STAMP.finditer(stem):
        add(match, _date(_year(match[1]), MONTHS[match[2].upper()], int(match[3])))
    for match in _ISO_LIKE.finditer(stem):
        add(match, _date(int(match[1]), int(match[2]), int(match[3])))
    for match in _COMPACT.finditer(stem):
        add(match, _date(int(match[1]), int(match[2]), int(match[3])))
    for match in _DAY_MONTH_NAME.finditer(stem):
        add(match, _date(_year(match[3]), MONTHS[match[2].upper()], int(match[1])))
    return _distinct(found)


def read_from_name(name: str, today: dt.date | None = None) -> DateReading:
    """The date in a file name: ``2020-03-12``, ``2020_03_12``, ``20200312``, ``12MAR20``,
    ``12MAR2020`` or a Maxar stamp ``20MAR12083027``."""
    stem = PurePath(name).name
    dates = _name_dates(stem)
    if len(dates) > 1:
        listed = ", ".join(f"'{w[0]}' = {d.isoformat()}" for d, w in sorted(dates.items()))
        return DateReading(None, "file name", f"the file name '{stem}' holds several dates ({listed})")
    if dates:
        day, where = next(iter(dates.items()))
        return _checked(day, "file name", today)
    for match in _NUMERIC_NOT_ISO.finditer(stem):
        first, second = int(match[1]), int(match[2])
        if first <= 12 and second <= 12 and first != second:
            return DateReading(
                None,
                "file name",
                f"'{match[0]}' in the file name '{stem}' may be day-month or month-day",
            )
        numeric = _date(_year(match[3]), second, first) if first > 12 else _date(_year(match[3]), first, second)
        if numeric is not None:
            return _checked(numeric, "file name", today)
    return DateReading(None, "none", f"the file name '{stem}' holds no date")


def _checked(day: dt.date, origin: str, today: dt.date | None) -> DateReading:
    try:
        return DateReading(check_acquired(day, today), origin)
    except SiteWatchError as error:
        return DateReading(None, origin, f"the {origin} gives {day.isoformat()}, which is rejected: {error}")


def read_acquisition_date(
    metadata: Mapping[str, Mapping[str, str]], file_name: str, today: dt.date | None = None
) -> DateReading:
    """An acquisition key first, then the file name checked against the file-writing time.

    ``TIFFTAG_DATETIME`` is when the file was written (a copy made with gdal_translate carries
    the original's), so it only gives the date when the file name holds no other date: a name
    whose date(s) differ from it gives no date, and the reason names both. Without an
    unambiguous plausible date the reading is ``None`` and its reason says what was found."""
    acquisition, file_time = _metadata_dates(metadata)
    from_acquisition = _metadata_reading(acquisition, "acquisition", today)
    if from_acquisition is not None and (from_acquisition.date is not None or from_acquisition.origin == "metadata"):
        return from_acquisition
    from_file_time = _metadata_reading(file_time, "file time", today)
    from_name = read_from_name(file_name, today)
    if from_acquisition is None and from_file_time is not None and from_file_time.date is not None:
        return _file_time_against_name(from_file_time, from_name, file_name)
    if from_name.date is not None:
        return from_name
    for rejected in (from_acquisition, from_file_time):
        if rejected is not None:  # a metadata date that was rejected, or file times that disagree
            return rejected
    return DateReading(None, from_name.origin, f"the image metadata has no acquisition date and {from_name.reason}")


def _file_time_against_name(from_file_time: DateReading, from_name: DateReading, file_name: str) -> DateReading:
    """The file-writing date, unless the file name holds a different or an ambiguous date."""
    stem = PurePath(file_name).name
    key = from_file_time.origin.removeprefix("metadata ")
    written = f"{key} (when the file was written) gives {from_file_time.date}"
    named = _name_dates(stem)
    if any(day.isoformat() != from_file_time.date for day in named):
        listed = " and ".join(sorted(day.isoformat() for day in named))
        return DateReading(None, "metadata and file name", f"the file name '{stem}' gives {listed} but {written}")
    if not named and from_name.origin == "file name" and from_name.date != from_file_time.date:
        return DateReading(None, "metadata and file name", f"{from_name.reason}, and {written}")
    return from_file_time

"""Scalar conversions shared by the codecs: timestamps, blobs and non-finite floats.

Every function is pure. Parsers raise ``ValueError`` on bad input; the codecs turn that into
the protocol's error with a path.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import math
from typing import Any

UTC = datetime.UTC

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def parse_timestamp(value: Any) -> datetime.datetime:
    """An aware UTC datetime from epoch seconds (number or numeric text) or ISO-8601 text.

    Raises ``ValueError`` for anything else (including booleans).
    """
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise ValueError("not a timestamp")
    try:
        return _from_epoch(float(value))
    except ValueError:
        pass
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = _rfc822(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _rfc822(value: str) -> datetime.datetime:
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise ValueError(f"not a timestamp: {value!r}") from None


def _from_epoch(seconds: float) -> datetime.datetime:
    if not math.isfinite(seconds):
        raise ValueError("timestamp must be finite")
    try:
        return datetime.datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(str(exc)) from None


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """``value`` in UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def epoch_seconds(value: Any) -> float | int:
    """Epoch seconds with millisecond precision, as AWS's JSON protocols send timestamps."""
    if isinstance(value, datetime.datetime):
        return round(as_utc(value).timestamp(), 3)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return round(parse_timestamp(value).timestamp(), 3)


def iso8601(value: Any) -> str:
    """``2024-05-01T12:00:00.123Z``: the query protocol's timestamp text (millisecond precision)."""
    moment = as_utc(value) if isinstance(value, datetime.datetime) else parse_timestamp(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def format_timestamp(value: Any, timestamp_format: str | None) -> str:
    """Timestamp text for XML: ISO-8601 unless the shape says ``unixTimestamp`` or ``rfc822``."""
    fmt = (timestamp_format or "iso8601").lower()
    if fmt == "unixtimestamp":
        return repr(epoch_seconds(value))
    if fmt == "rfc822":
        moment = as_utc(value) if isinstance(value, datetime.datetime) else parse_timestamp(value)
        return email.utils.format_datetime(moment, usegmt=True)
    return iso8601(value)


def decode_blob(value: str) -> bytes:
    """Bytes from base64 text; ``ValueError`` when it is not valid base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("invalid base64") from None


def encode_blob(value: bytes | bytearray | str) -> str:
    """Base64 text for a blob (text is encoded as UTF-8 first)."""
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


def parse_float(value: Any) -> float:
    """A float from a JSON number or text, including ``NaN`` / ``Infinity`` / ``-Infinity``."""
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        special = _SPECIAL_FLOATS.get(value)
        return special if special is not None else float(value)
    raise ValueError("not a number")


def float_out(value: float) -> float | str:
    """A float for a JSON body: non-finite values travel as AWS's strings."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"

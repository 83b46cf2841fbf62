"""Log event operations: PutLogEvents, GetLogEvents, FilterLogEvents."""

from __future__ import annotations

from collections.abc import Callable

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.logs.wire import group_name, group_not_found, now_ms, stream_not_found
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.logs import (
    BatchScreen,
    FilterPattern,
    InputEvent,
    LogEvent,
    Position,
    screen_batch,
    validate_stream_name,
)
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.store.uow import UnitOfWork

MAX_EVENTS_PER_READ = 10_000
"""GetLogEvents' and FilterLogEvents' default and largest ``limit``."""

START = Position(0, 0)
"""Before every event: stored events have ``seq`` ≥ 1 and non-negative timestamps."""

END = Position(2**63 - 1, 2**63 - 1)
"""After every event (the largest value a BIGINT holds)."""

_Scan = Callable[[Position | None, int], list[LogEvent]]
"""Reads up to ``count`` events of the filtered streams after a position."""

FILTER_CHUNK = 1_000
FILTER_SCAN_BUDGET = 50_000
"""FilterLogEvents examines at most this many events per call, then answers with what matched
and a ``nextToken`` (possibly with no events, as CloudWatch does), so one call over a large
group with a rare pattern stays bounded."""


def put_log_events(ctx: RequestContext, params: Params) -> Result:
    """Store the batch's acceptable events; sequence tokens are ignored, as AWS now does."""
    group = group_name(params)
    stream = params["logStreamName"]
    validate_stream_name(stream)
    events = [InputEvent(e["timestamp"], e["message"]) for e in params["logEvents"]]
    now = now_ms(ctx)

    def write(uow: UnitOfWork) -> BatchScreen:
        found = uow.logs.get_group(ctx.region, group)
        if found is None:
            raise group_not_found()
        screen = screen_batch(events, now_ms=now, retention_days=found.retention_in_days)
        kept = events[screen.start : screen.end]
        if uow.logs.append(ctx.region, group, stream, kept, ingestion_time=now) is None:
            raise stream_not_found()
        return screen

    screen = ctx.store.write(write)
    result: Result = {"nextSequenceToken": f"{now:056d}"}
    if screen.rejected:
        result["rejectedLogEventsInfo"] = {
            "tooNewLogEventStartIndex": screen.too_new_start_index,
            "tooOldLogEventEndIndex": screen.too_old_end_index,
            "expiredLogEventEndIndex": screen.expired_end_index,
        }
    return result


def get_log_events(ctx: RequestContext, params: Params) -> Result:
    """One page of a stream. Without a token: the first ``limit`` events of the time range
    when ``startFromHead``, else the last ``limit``. With a token, its direction decides.

    Contract (as CloudWatch): when a page is empty the token of its direction comes back
    unchanged, so a reader follows ``nextForwardToken`` until it repeats.
    """
    group = group_name(params)
    stream = params["logStreamName"]
    limit = params.get("limit") or MAX_EVENTS_PER_READ
    start, end = params.get("startTime"), params.get("endTime")
    token = params.get("nextToken")
    if token:
        forward, position = Position.parse_token(token)
    else:
        forward = bool(params.get("startFromHead"))
        position = Position(start or 0, 0) if forward else END

    def read(uow: UnitOfWork) -> list[LogEvent]:
        if uow.logs.get_group(ctx.region, group) is None:
            raise group_not_found()
        if uow.logs.get_stream(ctx.region, group, stream) is None:
            raise stream_not_found()
        return uow.logs.read_stream(
            ctx.region,
            group,
            stream,
            start=start,
            end=end,
            after=position if forward else None,
            before=None if forward else position,
            limit=limit,
        )

    events = ctx.store.read(read)
    if events:
        first, last = events[0].position, events[-1].position
    elif token:
        first = last = position
    else:
        first = last = Position(start or 0, 0)
    return {
        "events": [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
            for e in events
        ],
        "nextForwardToken": last.forward_token(),
        "nextBackwardToken": first.backward_token(),
    }


def filter_log_events(ctx: RequestContext, params: Params) -> Result:
    """Matching events of a group's streams in time order (ties by arrival)."""
    group = group_name(params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names and prefix:
        raise InvalidParameterException(
            "logStreamNames and logStreamNamePrefix cannot both be specified."
        )
    pattern = FilterPattern.parse(params.get("filterPattern"))
    limit = params.get("limit") or MAX_EVENTS_PER_READ
    token = params.get("nextToken")
    after = None
    if token:
        ts, seq = decode_token("FilterLogEvents", token, (int, int))
        after = Position(int(ts), int(seq))

    def read(uow: UnitOfWork) -> tuple[list[LogEvent], Position | None]:
        if uow.logs.get_group(ctx.region, group) is None:
            raise group_not_found()

        def scan(position: Position | None, count: int) -> list[LogEvent]:
            return uow.logs.scan_group(
                ctx.region,
                group,
                streams=names,
                prefix=prefix,
                start=params.get("startTime"),
                end=params.get("endTime"),
                after=position,
                limit=count,
            )

        return _filter(scan, pattern, after, limit)

    matched, resume = ctx.store.read(read)
    result: Result = {
        "events": [
            {
                "logStreamName": e.stream,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
                "eventId": e.event_id,
            }
            for e in matched
        ],
        "searchedLogStreams": [],
    }
    if resume is not None:
        result["nextToken"] = encode_token("FilterLogEvents", [resume.timestamp, resume.seq])
    return result


def _filter(
    scan: _Scan, pattern: FilterPattern, after: Position | None, limit: int
) -> tuple[list[LogEvent], Position | None]:
    """Scan in chunks until ``limit`` events matched, the events ran out, or the scan budget
    is spent; returns the matches and where to resume (None when everything was examined)."""
    matched: list[LogEvent] = []
    budget = FILTER_SCAN_BUDGET
    while True:
        want = min(FILTER_CHUNK, budget)
        chunk = scan(after, want)
        budget -= len(chunk)
        for event in chunk:
            after = event.position
            if pattern.matches(event.message):
                matched.append(event)
                if len(matched) == limit:
                    return matched, after
        if len(chunk) < want:
            return matched, None
        if budget <= 0:
            return matched, after

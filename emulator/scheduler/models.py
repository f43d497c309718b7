"""EventBridge Scheduler schedules that fire.

What moto lacks: moto stores schedules but never invokes their targets. This extension runs a clock
thread that fires every ``ENABLED`` schedule when its expression comes due, within its ``StartDate`` and
``EndDate``, and deletes one-time schedules with ``ActionAfterCompletion: DELETE`` after they fired:

* expressions: ``rate(N minute|minutes|hour|hours|day|days)`` (first firing one period after
  ``StartDate``, or after the schedule was created or last changed), ``at(yyyy-mm-ddThh:mm:ss)`` and
  ``cron(minutes hours day-of-month month day-of-week year)`` with ``*``, ``?``, values, names
  (``JAN``, ``MON``), ranges, lists and ``/`` steps, in ``ScheduleExpressionTimezone`` (``L``, ``W``
  and ``#`` are not supported: such a schedule never fires by itself);
* targets: Step Functions state machines (``StartExecution`` with the target's ``Input``), Lambda
  functions (an asynchronous invocation) and SQS queues (a message with the ``Input``).

``POST {endpoint}/_emulator/scheduler/<group>/<name>/fire`` fires a schedule now, whatever its
expression; the clock is switched off with ``EMULATOR_SCHEDULER_CLOCK=off`` (tests fire explicitly).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from moto.awslambda.utils import get_backend as lambda_backend
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.scheduler.models import scheduler_backends
from moto.sqs.models import sqs_backends
from werkzeug.wrappers import Request

from emulator.awslambda import runtime as lambda_runtime
from emulator.core import control
from emulator.stepfunctions import responses as stepfunctions

LOGGER = logging.getLogger(__name__)
TICK_SECONDS = 1.0
_RATE = re.compile(r"rate\((?P<value>\d+)\s+(?P<unit>minutes?|hours?|days?)\)")
_AT = re.compile(r"at\((?P<when>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_CRON = re.compile(r"cron\((?P<fields>[^)]+)\)")
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_WEEKDAYS = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
# (lowest, highest, names) of the cron fields: minutes, hours, day of month, month, day of week, year.
_FIELDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (1, 7, _WEEKDAYS),
    (1970, 2199, {}),
)


class UnsupportedExpression(ValueError):
    """A schedule expression the clock cannot evaluate."""


def _cron_values(field: str, lowest: int, highest: int, names: Mapping[str, int]) -> frozenset[int] | None:
    """The values a cron field allows; None for ``*`` and ``?`` (anything)."""
    if field in ("*", "?"):
        return None
    values: set[int] = set()
    for part in field.upper().split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            start, end = lowest, highest
        else:
            first, _, last = span.partition("-")
            try:
                start = names.get(first) or int(first)
                end = (names.get(last) or int(last)) if last else (highest if step_text else start)
            except ValueError as error:
                raise UnsupportedExpression(f"cron field {field!r} is not supported") from error
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days: frozenset[int] | None
    months: frozenset[int] | None
    weekdays: frozenset[int] | None
    years: frozenset[int] | None

    @classmethod
    def parse(cls, fields: str) -> Cron:
        parts = fields.split()
        if len(parts) != len(_FIELDS):
            raise UnsupportedExpression(f"a cron expression has six fields, not {len(parts)}: {fields!r}")
        return cls(*(_cron_values(part, *limits) for part, limits in zip(parts, _FIELDS, strict=True)))

    def _day_matches(self, day: datetime) -> bool:
        weekday = day.isoweekday() % 7 + 1  # cron: 1 = Sunday
        return (
            (self.days is None or day.day in self.days)
            and (self.months is None or day.month in self.months)
            and (self.weekdays is None or weekday in self.weekdays)
            and (self.years is None or day.year in self.years)
        )

    def after(self, moment: datetime) -> datetime | None:
        """The first matching minute after ``moment`` (an aware datetime), within five years."""
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        for _ in range(5 * 366):
            if self._day_matches(day):
                for hour in sorted(self.hours if self.hours is not None else range(24)):
                    for minute in sorted(self.minutes if self.minutes is not None else range(60)):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate > moment:
                            return candidate
            day = (day + timedelta(days=1, hours=1)).replace(hour=0)  # safe across DST changes
        return None


def next_fire(expression: str, timezone: str, after: datetime, anchor: datetime) -> datetime | None:
    """When a schedule fires next after ``after``; ``anchor`` is when a rate schedule started counting."""
    if rate := _RATE.fullmatch(expression.strip()):
        unit = rate["unit"].rstrip("s")
        period = timedelta(**{f"{unit}s": int(rate["value"])})
        elapsed = max(after - anchor, timedelta(0))
        return anchor + period * (elapsed // period + 1)
    zone = ZoneInfo(timezone or "UTC")
    if at := _AT.fullmatch(expression.strip()):
        moment = datetime.fromisoformat(at["when"]).replace(tzinfo=zone)
        return moment if moment > after else None
    if cron := _CRON.fullmatch(expression.strip()):
        found = Cron.parse(cron["fields"]).after(after.astimezone(zone))
        return found.astimezone(UTC) if found else None
    raise UnsupportedExpression(f"unknown schedule expression {expression!r}")


def _timestamp(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def fire(account: str, region: str, schedule: Any) -> dict[str, Any]:
    """Invoke the schedule's target once, as the scheduler does; return what was started."""
    target = schedule.target
    arn: str = target["Arn"]
    payload = target.get("Input") or "{}"
    service = arn.split(":")[2]
    if service == "states":
        execution = stepfunctions.parser_backends()[account][region].start_execution(arn, None, payload)
        return {"target": arn, "executionArn": execution.execution_arn}
    if service == "lambda":
        function = lambda_backend(account, region).get_function(arn)
        threading.Thread(target=lambda_runtime.run, args=(function, payload.encode()), daemon=True).start()
        return {"target": arn}
    if service == "sqs":
        queue = sqs_backends[account][region].send_message(arn.rsplit(":", 1)[1], payload)
        return {"target": arn, "messageId": queue.id}
    raise UnsupportedExpression(f"the emulator's scheduler cannot invoke {arn}")


def _schedules() -> Iterator[tuple[str, str, Any, Any]]:
    for account, regions in list(scheduler_backends.items()):
        for region, backend in list(regions.items()):
            for group in list(backend.schedule_groups.values()):
                for schedule in list(group.schedules.values()):
                    yield account, region, group, schedule


class Clock:
    """Fires due schedules, once a second."""

    def __init__(self) -> None:
        self._due: dict[tuple[str, float], datetime | None] = {}
        self._warned: set[str] = set()

    def _next(self, schedule: Any, now: datetime) -> datetime | None:
        key = (schedule.arn, float(schedule.last_modified_date))
        if key not in self._due:
            anchor = _timestamp(schedule.start_date) or _timestamp(schedule.last_modified_date) or now
            try:
                # Counted from when the schedule was made, so a first tick that comes late still fires it.
                self._due[key] = next_fire(
                    schedule.schedule_expression, schedule.schedule_expression_timezone, anchor, anchor
                )
            except UnsupportedExpression as error:
                if schedule.arn not in self._warned:
                    LOGGER.warning("schedule %s will not fire by itself: %s", schedule.arn, error)
                    self._warned.add(schedule.arn)
                self._due[key] = None
        return self._due[key]

    def tick(self, now: datetime) -> None:
        for account, region, group, schedule in _schedules():
            due = self._next(schedule, now)
            end = _timestamp(schedule.end_date)
            if schedule.state != "ENABLED" or due is None or due > now or (end is not None and due > end):
                continue
            key = (schedule.arn, float(schedule.last_modified_date))
            # One firing for the missed ones, as a late clock cannot catch up on all of them.
            self._due[key] = next_fire(
                schedule.schedule_expression, schedule.schedule_expression_timezone, max(due, now), due
            )
            try:
                fire(account, region, schedule)
            except Exception:  # a broken target must not stop the clock
                LOGGER.exception("schedule %s could not invoke its target", schedule.arn)
            if self._due[key] is None and schedule.action_after_completion == "DELETE":
                group.schedules.pop(schedule.name, None)

    def run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            try:
                self.tick(datetime.now(UTC))
            except Exception:
                LOGGER.exception("the scheduler clock failed; it keeps running")


def _fire_route(request: Request, groups: dict[str, str]) -> Mapping[str, Any]:
    account = request.args.get("account", DEFAULT_ACCOUNT_ID)
    region = request.args.get("region", "us-east-1")
    schedule = scheduler_backends[account][region].get_schedule(groups["group"], groups["name"])
    return fire(account, region, schedule)


_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603 - install() is idempotent by design
    if _installed:
        return
    control.register_route("POST", r"scheduler/(?P<group>[^/]+)/(?P<name>[^/]+)/fire", _fire_route)
    if os.environ.get("EMULATOR_SCHEDULER_CLOCK", "on").lower() != "off":
        threading.Thread(target=Clock().run, name="scheduler-clock", daemon=True).start()
    _installed = True

"""When scheduled reports go out (REPORT_SCHEDULE), in Asia/Jakarta time.

`daily 07:00`, `weekly mon 07:00`, `monthly 1 07:00` (a day of the month up to 28, so every month has
it), or `every 30s` / `every 15m` / `every 2h` (an interval from the previous run: tests, trial runs).
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from shared.dates import JAKARTA

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNITS = {"s": 1, "m": 60, "h": 3600}
_CLOCK = r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)"
_FORMS = {
    "daily": re.compile(rf"daily {_CLOCK}"),
    "weekly": re.compile(rf"weekly (?P<weekday>{'|'.join(WEEKDAYS)}) {_CLOCK}"),
    "monthly": re.compile(rf"monthly (?P<day>[1-9]|1\d|2[0-8]) {_CLOCK}"),
    "every": re.compile(r"every (?P<count>[1-9]\d*)(?P<unit>[smh])"),
}


class InvalidSchedule(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    form: str
    at: time = time()
    weekday: int = 0  # Monday = 0
    day: int = 1
    interval: timedelta = timedelta()

    def next_after(self, now: datetime) -> datetime:
        """The first run strictly after `now` (an aware datetime), in Asia/Jakarta time."""
        local = now.astimezone(JAKARTA)
        if self.form == "every":
            return local + self.interval
        candidate = datetime.combine(local.date(), self.at, JAKARTA)
        while not (candidate > local and self._on_day(candidate)):
            candidate = datetime.combine(candidate.date() + timedelta(days=1), self.at, JAKARTA)
        return candidate

    def _on_day(self, moment: datetime) -> bool:
        match self.form:
            case "weekly":
                return moment.weekday() == self.weekday
            case "monthly":
                return moment.day == self.day
            case _:
                return True


def parse_schedule(text: str) -> Schedule:
    spoken = " ".join(text.lower().split())
    for form, pattern in _FORMS.items():
        found = pattern.fullmatch(spoken)
        if not found:
            continue
        parts = found.groupdict()
        if form == "every":
            return Schedule(form, interval=timedelta(seconds=int(parts["count"]) * UNITS[parts["unit"]]))
        at = time(int(parts["hour"]), int(parts["minute"]))
        weekday = WEEKDAYS.index(parts["weekday"]) if parts.get("weekday") else 0
        return Schedule(form, at=at, weekday=weekday, day=int(parts.get("day") or 1))
    raise InvalidSchedule(
        f"schedule {text!r}: one of 'daily HH:MM', 'weekly mon HH:MM', 'monthly D HH:MM' (D up to 28) "
        "or 'every N(s|m|h)', in Asia/Jakarta time"
    )

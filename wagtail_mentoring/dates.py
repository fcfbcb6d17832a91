"""Calendar arithmetic shared by cycles, matches and the schedule (pure functions)."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return ``day`` moved by ``months`` calendar months.

    The day of the month is kept where it exists and clamped to the month's last
    day where it does not: 31 January + 1 month is 28 (or 29) February.
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))

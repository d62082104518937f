"""What the training writes share: month arithmetic and the validated save."""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _saved(obj: Any, **clean_kwargs: Any) -> Any:
    obj.full_clean(**clean_kwargs)
    obj.save()
    return obj

"""The indicator definitions (issue #7): declarative, one block per population, one module
per source of the data (cases, plans, wellbeing, referrals, interviews, training).

Each population is a queryset over one model and period; each indicator names a measure
on it (see docs/performance.md, "Indicators and dashboards"). Importing this package
registers them all, in the order the dashboards list them. Apps above reports register
their own indicators from their ``apps.py`` (e.g. transfers, incidents).
"""

from __future__ import annotations

# isort: off
# The order of registration is the order of the dashboards.
from . import cases, plans, wellbeing, referrals, interviews, training

# isort: on
from .cases import ACTIVE_SPLITS, REGISTERED_SPLITS, YEAR_FLOW, YEAR_STOCK

__all__ = [
    "ACTIVE_SPLITS",
    "REGISTERED_SPLITS",
    "YEAR_FLOW",
    "YEAR_STOCK",
    "cases",
    "interviews",
    "plans",
    "referrals",
    "training",
    "wellbeing",
]

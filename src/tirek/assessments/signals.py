"""Signals other apps listen to (the plans app keeps the case's deadlines from them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the completing transaction with ``assessment=<Assessment>``.
assessment_completed = Signal()

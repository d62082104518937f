"""Formats in use in Kazakhstan: the ones shared across the region (``tirek.formats.shared``)."""

from tirek.formats.shared import *  # noqa: F403 (Django reads the module's names)

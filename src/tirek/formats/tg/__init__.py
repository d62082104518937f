"""Formats for tg (see tirek.formats)."""

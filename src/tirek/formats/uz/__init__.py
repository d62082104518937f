"""Formats for uz (see tirek.formats)."""

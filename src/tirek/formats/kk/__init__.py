"""Formats for kk (see tirek.formats)."""

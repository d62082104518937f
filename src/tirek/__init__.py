"""Tirek: rehabilitation and reintegration case management."""

"""URL ids limited to 18 digits: a longer number would overflow a database integer
(PostgreSQL bigint) and turn a typo into a server error instead of a 404."""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

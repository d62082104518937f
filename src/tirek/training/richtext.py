"""Lesson text: a small Markdown-like language rendered to safe HTML.

Everything the author wrote is HTML-escaped first; only the markup below produces tags,
so no author (or imported file) can inject a script. Supported:
``#``/``##``/``###`` headings, paragraphs, ``-`` and ``1.`` lists, ``**bold**``,
``*italic*``, ``[text](https://… or /path)`` and ``![alt](asset:ID)`` images of the lesson.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe

_INLINE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)"
    r"|\[(?P<text>[^\]]+)\]\((?P<href>[^)\s]+)\)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\*(?P<italic>[^*]+)\*"
)
_ASCII_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
_ASSET = re.compile(r"^asset:(\d{1,12})$")

AssetUrl = Callable[[int], str | None]


def safe_href(href: str) -> str | None:
    """The link as a browser would follow it, if it stays on this site (a path from the
    root) or is a plain http(s) address; else None.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, so
    ``/\\evil.example`` and ``//evil.example`` are both addresses on another site
    ("protocol-relative"); the check is made on the URL so normalised, and that is what
    the page links to."""
    url = re.sub(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]", "", href).replace("\\", "/")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return None
    if url.startswith("/"):
        return None if url.startswith("//") else url
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")):
        return None  # javascript:, data:, mailto:, "evil.example/x" and the rest
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "@" in parts.netloc or not parts.hostname or not _ASCII_HOST.match(parts.netloc):
        return None  # "https://bank.example@evil.example" misleads the reader
    return parts.geturl()


def _inline(text: str, asset_url: AssetUrl) -> str:
    out: list[str] = []
    pos = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[pos : match.start()]))
        pos = match.end()
        if match.group("src") is not None:
            asset = _ASSET.match(match.group("src"))
            url = asset_url(int(asset.group(1))) if asset else None
            if url:
                out.append(f'<img src="{escape(url)}" alt="{escape(match.group("alt"))}">')
            else:
                out.append(escape(match.group(0)))
        elif match.group("href") is not None:
            href = safe_href(match.group("href"))
            label = _inline(match.group("text"), asset_url)
            if href is not None:
                rel = ' rel="noopener noreferrer"' if href.startswith("http") else ""
                out.append(f'<a href="{escape(href)}"{rel}>{label}</a>')
            else:
                out.append(label)
        elif match.group("bold") is not None:
            out.append(f"<strong>{_inline(match.group('bold'), asset_url)}</strong>")
        else:
            out.append(f"<em>{_inline(match.group('italic'), asset_url)}</em>")
    out.append(escape(text[pos:]))
    return "".join(out)


def render(source: str, asset_url: AssetUrl | None = None) -> SafeString:
    asset_url = asset_url or (lambda _id: None)
    html: list[str] = []
    paragraph: list[str] = []
    list_tag = ""

    def flush_paragraph() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph), asset_url)}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = ""

    for raw in source.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        bullet = re.match(r"^[-*]\s+(.*)$", line)
        numbered = re.match(r"^\d{1,3}[.)]\s+(.*)$", line)
        if not line:
            flush_paragraph()
            close_list()
        elif heading:
            flush_paragraph()
            close_list()
            level = len(heading.group(1)) + 1  # the page's own h1 is the lesson title
            html.append(f"<h{level}>{_inline(heading.group(2), asset_url)}</h{level}>")
        elif (listed := bullet or numbered) is not None:
            flush_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                html.append(f"<{tag}>")
                list_tag = tag
            item = listed.group(1)
            html.append(f"<li>{_inline(item, asset_url)}</li>")
        else:
            close_list()
            paragraph.append(line)
    flush_paragraph()
    close_list()
    return mark_safe("\n".join(html))  # noqa: S308  (built only from escaped pieces)

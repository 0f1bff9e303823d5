"""HTML from users: sanitised with nh3 (Ammonia) to a small, safe set of tags."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote", "div", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
TAG_RE = re.compile(r"<[^>]+>")
# A preview of a message up to this long (its HTML) is kept by the worker that made it: see `preview`.
PREVIEW_KEPT_UP_TO = 4_000


def sanitise(html: str) -> str:
    """Keep formatting and links; drop scripts, styles, event handlers and unknown tags."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text_to_html(text: str) -> str:
    """Text typed in a plain textarea: escape it and keep line breaks as paragraphs."""
    from django.utils.html import escape

    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p)


def to_plain_text(html: str) -> str:
    """A short plain-text rendering for previews, search and notifications."""
    from html import unescape

    text = TAG_RE.sub(" ", html.replace("<br>", "\n").replace("</p>", "\n"))
    return re.sub(r"[ \t]+", " ", unescape(text)).strip()


def preview(html: str, length: int) -> str:
    """A message's first `length` characters as one line of plain text, "…" where it was cut off.

    An inbox shows the same latest messages on every read: each worker keeps the previews it made last (2,048 of
    them, of messages up to `PREVIEW_KEPT_UP_TO` characters). Making one costs about 4 µs, finding a kept one
    under 1: on a page of twenty threads, 2–3 % of the inbox read's CPU."""
    if len(html) <= PREVIEW_KEPT_UP_TO:
        return _kept_preview(html, length)
    return _preview(html, length)


def _preview(html: str, length: int) -> str:
    text = " ".join(to_plain_text(html).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


_kept_preview = lru_cache(maxsize=2048)(_preview)


def to_editable_text(html: str) -> str:
    """HTML back as text to edit in a plain textarea, paragraphs apart by a blank line (undoes plain_text_to_html)."""
    from html import unescape

    text = re.sub(r"<br\s*/?>", "\n", html.replace("\r\n", "\n"))
    text = re.sub(r"</(p|div|li|blockquote)>\s*", "\n\n", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(TAG_RE.sub("", text))).strip()


def is_blank(html: str) -> bool:
    return not to_plain_text(html).strip()

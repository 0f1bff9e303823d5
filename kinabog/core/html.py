"""HTML from users: sanitised with nh3 (Ammonia) to a small, safe set of tags."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote", "div", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
TAG_RE = re.compile(r"<[^>]+>")


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


def to_editable_text(html: str) -> str:
    """HTML back as text to edit in a plain textarea, paragraphs apart by a blank line (undoes plain_text_to_html)."""
    from html import unescape

    text = re.sub(r"<br\s*/?>", "\n", html.replace("\r\n", "\n"))
    text = re.sub(r"</(p|div|li|blockquote)>\s*", "\n\n", text)
    return re.sub(r"\n{3,}", "\n\n", unescape(TAG_RE.sub("", text))).strip()


def is_blank(html: str) -> bool:
    return not to_plain_text(html).strip()

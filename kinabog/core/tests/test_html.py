"""core.html: previews of messages, kept by the worker that made them."""

from __future__ import annotations

from kinabog.core import html


def test_a_preview_is_one_line_of_plain_text_cut_off_with_an_ellipsis():
    message = "<p>Husk <strong>madpakke</strong> &amp; regntøj.</p><p>Vi skal\ti   skoven.</p>"
    assert html.preview(message, 200) == "Husk madpakke & regntøj. Vi skal i skoven."
    assert html.preview(message, 10) == "Husk madp…"
    assert html.preview("<p> </p>", 10) == ""


def test_previews_of_short_messages_are_kept_and_long_ones_made_each_time():
    short = "<p>Forældremøde på torsdag kl. 17.</p>"
    long = "<p>" + "Lang besked om turen. " * 400 + "</p>"
    assert len(long) > html.PREVIEW_KEPT_UP_TO
    html._kept_preview.cache_clear()
    first = html.preview(short, 50)
    assert html.preview(short, 50) is first  # the kept one
    assert html._kept_preview.cache_info().hits == 1
    cut = html.preview(long, 50)
    assert cut == "Lang besked om turen. Lang besked om turen. Lang…"
    assert html._kept_preview.cache_info().currsize == 1  # the long one was not kept

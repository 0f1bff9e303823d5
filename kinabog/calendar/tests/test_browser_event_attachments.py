"""Files on an event in a browser at 360 px: karin attaches a photo and a PDF, mette sees the picture and the
download link; no sideways scrolling and no serious axe findings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import PHONE, log_in, serious_axe_violations

from .test_event_attachments import PDF, photo_with_location

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def test_karin_attaches_a_photo_and_mette_sees_it_on_a_phone(open_page: Callable[..., Page], media: Path) -> None:
    photo, plan = media / "IMG_0001.jpg", media / "madplan.pdf"
    photo.write_bytes(photo_with_location())
    plan.write_bytes(PDF)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()

    karin = open_page(PHONE)
    log_in(karin, "karin")
    karin.goto("/kalender/ny/")
    karin.get_by_label("Titel").fill("Skovtur")
    karin.get_by_label("Blå stue", exact=False).first.check()
    karin.get_by_label("Begynder").fill(f"{day}T09:00")
    karin.get_by_label("Slutter").fill(f"{day}T14:00")
    karin.get_by_label("Vedhæft filer eller billeder").set_input_files([photo, plan])
    assert karin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(karin) == []
    karin.get_by_role("button", name="Opret begivenhed").click()
    expect(karin.get_by_role("heading", name="Skovtur")).to_be_visible()
    event_url = karin.url

    mette = open_page(PHONE)
    log_in(mette, "mette")
    mette.goto(event_url)
    expect(mette.get_by_role("heading", name="Vedhæftede filer")).to_be_visible()
    expect(mette.get_by_role("img", name="IMG_0001.jpg")).to_be_visible()
    expect(mette.get_by_role("link", name="madplan.pdf")).to_be_visible()
    assert mette.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(mette) == []

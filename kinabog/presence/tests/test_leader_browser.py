"""axe-core finds nothing serious on the leader pages and the guardian's answer page, desktop and phone."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import time

import pytest
from playwright.sync_api import Page

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations
from kinabog.presence import actions
from kinabog.presence.models import PresenceTemplate

from .leader_helpers import child, institution, next_monday, summer_request, viewer

pytestmark = pytest.mark.browser


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_leader_pages_and_the_answer_page_pass_axe(open_page: Callable[..., Page], viewport: dict[str, int]) -> None:
    actions.save_template(
        viewer("mette", "guardian"),
        child("Emil").id,
        by_date=next_monday(),
        entry_time=time(8, 0),
        exit_time=time(15, 30),
        repeat=PresenceTemplate.Repeat.WEEKLY,
    )
    request = summer_request()
    katamaranen = institution("G10001").id
    label = "desktop" if viewport == DESKTOP else "phone"
    findings: list[str] = []

    mette = open_page(viewport)
    log_in(mette, "mette")
    mette.goto(f"/komme-gaa/ferieanmodninger/{request.id}/barn/{child('Emil').id}/")
    findings += serious_axe_violations(mette)
    mette.get_by_role("button", name="Gem svaret").click()  # nothing chosen: errors beside each day
    mette.wait_for_selector(".field-error")
    findings += serious_axe_violations(mette)
    _shot(mette, f"answer-{label}")

    anders = open_page(viewport)
    log_in(anders, "anders")
    for path in (
        "/komme-gaa/leder/",
        f"/komme-gaa/institution/{katamaranen}/belaegning/?dato={next_monday().isoformat()}",
        f"/komme-gaa/institution/{katamaranen}/ferieanmodninger/",
        f"/komme-gaa/institution/{katamaranen}/ferieanmodninger/ny/",
        f"/komme-gaa/ferieanmodninger/{request.id}/",
        f"/komme-gaa/institution/{katamaranen}/vagter/",
        f"/komme-gaa/institution/{katamaranen}/eksport/",
        f"/komme-gaa/institution/{katamaranen}/integrationer/",
    ):
        anders.goto(path)
        findings += [f"{path}: {finding}" for finding in serious_axe_violations(anders)]
        _shot(anders, path.strip("/").replace("/", "_").split("?")[0] + f"-{label}")

    assert not findings, "\n".join(findings)

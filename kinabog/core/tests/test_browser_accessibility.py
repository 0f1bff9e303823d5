"""axe-core finds nothing serious or critical on the pages people use most, on a desktop and a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_overview_and_profile_pass_axe(open_page: Callable[..., Page], viewport: dict[str, int]) -> None:
    findings: list[str] = []

    page = open_page(viewport)
    page.goto("/login/")
    findings += serious_axe_violations(page)
    page.fill("input[name=username]", "mette")
    page.fill("input[name=password]", "wrong")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_selector("#login-error")
    findings += serious_axe_violations(page)

    log_in(page, "mette")
    findings += serious_axe_violations(page)
    page.goto("/profil/")
    findings += serious_axe_violations(page)
    page.fill("input[name=mobile_phone]", "12")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_selector(".field-error")
    findings += serious_axe_violations(page)

    staff = open_page(viewport)
    log_in(staff, "karin")
    findings += serious_axe_violations(staff)

    assert not findings, "\n".join(findings)

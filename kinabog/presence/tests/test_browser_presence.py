"""Komme/gå in Chromium: one-handed check-in on a 360 px phone, the guardian's view, the kiosk screen, axe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations
from kinabog.institutions.models import InstitutionProfile

pytestmark = pytest.mark.browser


def emil() -> InstitutionProfile:
    return InstitutionProfile.objects.get(person__first_name="Emil", role="child")


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_karin_checks_emil_in_on_a_phone_and_mette_sees_it(open_page: Callable[..., Page]) -> None:
    findings: list[str] = []
    staff = open_page(PHONE)
    log_in(staff, "karin")
    staff.get_by_role("link", name="Komme/gå").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Børnehuset Katamaranen")
    assert_fits_the_phone(staff)
    findings += serious_axe_violations(staff)

    # The row's own button checks one child in with one tap; it is a big enough target.
    button = staff.get_by_role("button", name="Tjek ind Emil Hansen")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    present = staff.locator(".counts .status-present .count-n")
    before = int(present.inner_text())
    staff.evaluate("window.sameList = true")
    # A double tap: the second tap comes the moment the button has turned into "Tjek ud". It must not undo
    # the check-in.
    staff.evaluate(
        """id => {
            const button = document.querySelector(`li[data-child="${id}"] button.quick`);
            new MutationObserver((changes, observer) => { observer.disconnect(); button.click(); })
                .observe(button, {attributes: true, attributeFilter: ["value"]});
        }""",
        emil().id,
    )
    button.click()
    row = staff.locator("li.child-row", has_text="Emil Hansen")
    expect(row.locator(".pill")).to_contain_text("Kommet")
    expect(staff.get_by_role("status")).to_contain_text("1 barn tjekket ind")
    expect(row.get_by_role("button", name="Tjek ud Emil Hansen")).to_be_visible()
    # It answered in place: the list was not loaded again, and the count followed.
    assert staff.evaluate("window.sameList") is True
    expect(present).to_have_text(str(before + 1))
    expect(row.get_by_role("button", name="Tjek ud Emil Hansen")).to_be_focused()
    staff.wait_for_timeout(300)  # where the second tap's answer would have come
    expect(row.locator(".pill")).to_contain_text("Kommet")

    # The action bar for ticked children stays at the bottom of the screen, under the thumb.
    bar = staff.get_by_role("group", name="For de valgte børn")
    bar_box = bar.bounding_box()
    assert bar_box is not None and bar_box["y"] + bar_box["height"] <= PHONE["height"] + 1
    assert bar_box["y"] > PHONE["height"] / 2
    findings += serious_axe_violations(staff)

    # Emil's day shows what happened, and who did it.
    row.get_by_role("link", name="Dagen for Emil Hansen").click()
    expect(staff.locator("ol.events")).to_contain_text("Karin Jensen")
    assert_fits_the_phone(staff)
    findings += serious_axe_violations(staff)

    guardian = open_page(PHONE)
    log_in(guardian, "mette")
    guardian.get_by_role("link", name="Komme/gå").click()
    card = guardian.get_by_role("region", name="Emil Hansen")
    expect(card.locator(".today .pill")).to_contain_text("Kommet")
    assert_fits_the_phone(guardian)
    findings += serious_axe_violations(guardian)

    guardian.get_by_role("link", name=re.compile("^Ret ")).first.click()
    expect(guardian.get_by_role("heading", level=1)).to_contain_text("Planlagte tider")
    assert_fits_the_phone(guardian)
    findings += serious_axe_violations(guardian)
    assert not findings, "\n".join(findings)


def test_bulk_check_in_with_the_action_bar(phone_page: Page) -> None:
    log_in(phone_page, "karin")
    phone_page.goto("/komme-gaa/")
    rows = phone_page.locator("li.child-row")
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    phone_page.get_by_role("group", name="For de valgte børn").get_by_role("button", name="Tjek ind").click()
    expect(phone_page.get_by_role("status")).to_contain_text("2 børn tjekket ind")
    expect(phone_page.locator("a.count.status-present .count-n")).to_have_text("2")


def test_kiosk_screen_pairs_checks_in_and_passes_axe(open_page: Callable[..., Page]) -> None:
    findings: list[str] = []
    institution_id = emil().institution_id
    admin = open_page(DESKTOP)
    log_in(admin, "anders")
    admin.goto(f"/komme-gaa/institution/{institution_id}/skaerme/")
    admin.get_by_label("Skærmens navn").fill("Entré")
    admin.get_by_role("button", name="Opret skærm og vis kode").click()
    code = admin.locator("p.code").inner_text().split(":")[-1].replace(" ", "").strip()
    assert re.fullmatch(r"\d{8}", code), code
    findings += serious_axe_violations(admin)

    screen = open_page({"width": 1024, "height": 768})
    screen.goto("/komme-gaa/skaerm/")
    findings += serious_axe_violations(screen)
    screen.get_by_label("Kode").fill(code)
    screen.get_by_role("button", name="Forbind").click()
    tile = screen.get_by_role("link", name=re.compile("Emil Hansen"))
    expect(tile).to_contain_text("Ikke kommet")
    findings += serious_axe_violations(screen)

    tile.click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Tjek Emil Hansen ind?")
    findings += serious_axe_violations(screen)
    screen.get_by_role("button", name="Ja, tjek ind").click()
    expect(screen.get_by_role("status")).to_contain_text("Emil Hansen er tjekket ind")
    expect(screen.get_by_role("link", name=re.compile("Emil Hansen"))).to_contain_text("Kommet")
    assert not findings, "\n".join(findings)


def test_setup_page_passes_axe_on_a_phone(phone_page: Page) -> None:
    log_in(phone_page, "anders")
    phone_page.goto(f"/komme-gaa/institution/{emil().institution_id}/opsaetning/")
    assert_fits_the_phone(phone_page)
    findings = serious_axe_violations(phone_page)
    phone_page.locator("#id_location-name").fill("")
    phone_page.get_by_role("button", name="Tilføj sted").click()
    expect(phone_page.locator(".field-error").first).to_be_visible()
    findings += serious_axe_violations(phone_page)
    assert not findings, "\n".join(findings)

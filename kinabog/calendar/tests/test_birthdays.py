"""Fødselsdage through HTTP: consent decides, protection hides, the group page's rule, a fixed query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.calendar.birthdays import Birthday, birthday_in, birthdays_between
from kinabog.consents.models import Consent, ConsentKind
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, Person

from .birthday_data import add_birthday_children
from .conftest import viewer

pytestmark = pytest.mark.django_db

BIRTHDAY = ConsentKind.BIRTHDAY_IN_GROUP.value


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def child(first_name: str) -> Person:
    return Person.objects.filter(first_name=first_name, profiles__role__in=["child", "pupil"]).distinct().get()


def page(client: Client, group_name: str, month: str) -> str:
    response = client.get(reverse("calendar:birthdays", args=[group(group_name).id]), {"maaned": month})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def emils_month() -> str:
    born = child("Emil").birth_date
    assert born is not None
    return f"{date.today().year}-{born.month:02d}"


def test_mette_gives_consent_and_karin_sees_emils_birthday(client: Client) -> None:
    emil = child("Emil")
    Consent.objects.filter(child=emil).delete()
    sign_in(client, "karin", role="employee")
    assert "Emil Hansen" not in page(client, "Blå stue", emils_month())

    mette = Client()
    sign_in(mette, "mette", role="guardian", level=3)
    response = mette.post(reverse("consents:index"), {"child": emil.id, "answer_birthday_in_group": "yes"})
    assert response.status_code == 302

    html = page(client, "Blå stue", emils_month())
    assert "Emil Hansen" in html
    assert f'datetime="{date.today().year}-03-14"' in html

    # And withdrawn again: gone.
    mette.post(reverse("consents:index"), {"child": emil.id, "answer_birthday_in_group": "no"})
    assert "Emil Hansen" not in page(client, "Blå stue", emils_month())


def test_without_an_answer_a_birthday_is_not_shown(client: Client) -> None:
    Consent.objects.filter(child=child("Emil")).delete()
    sign_in(client, "mette", role="guardian")
    html = page(client, "Blå stue", emils_month())
    assert "Emil Hansen" not in html
    assert "Ingen fødselsdage at vise" in html


def test_a_protected_child_never_appears_even_with_consent(client: Client) -> None:
    ida = child("Ida")
    assert Consent.objects.get(child=ida, kind=BIRTHDAY).given
    month = f"{date.today().year}-{ida.birth_date.month:02d}"  # type: ignore[union-attr]
    for username, role in (("anders", "employee"), ("sara", "guardian")):
        sign_in(client, username, role=role)
        html = page(client, "Søstjernerne", month)
        assert "Ida" not in html and ida.alias not in html, username
    anders = viewer("anders", "employee")
    start, end = date(2020, 1, 1), date(2020, 12, 31)
    assert all(b.person_id != ida.id for b in birthdays_between(anders, [group("Søstjernerne").id], start, end))


def test_an_outsider_gets_404_on_another_institutions_group(client: Client) -> None:
    sign_in(client, "karin", role="employee")
    url = reverse("calendar:birthdays", args=[group("Søstjernerne").id])
    assert client.get(url, {"maaned": "2025-06"}).status_code == 404
    assert client.get(reverse("calendar:birthdays", args=[999999])).status_code == 404
    sign_in(client, "peter", role="guardian")
    assert client.get(reverse("calendar:birthdays", args=[group("3.B").id])).status_code == 404


def test_a_bad_month_is_explained_not_a_server_error(client: Client) -> None:
    sign_in(client, "karin", role="employee")
    for bad in ("2025-13", "marts", "2025-3", "0000-01"):
        response = client.get(reverse("calendar:birthdays", args=[group("Blå stue").id]), {"maaned": bad})
        assert response.status_code == 400, bad
        assert "Skriv måneden som år og måned" in response.content.decode()


def test_birthdays_between_the_rules() -> None:
    mette = viewer("mette", "guardian")
    sofie = child("Sofie")
    groups = [group("3.B").id, group("SFO 3. årgang").id, group("Blå stue").id]
    found = birthdays_between(mette, groups, date(2025, 1, 1), date(2025, 12, 31))
    # Sofie is in 3.B and in the SFO group: listed once, under her class.
    assert [(b.name, b.group_name) for b in found if b.person_id == sofie.id] == [("Sofie Hansen", "3.B")]
    assert Birthday(date(2025, 3, 14), "Emil Hansen", "Blå stue", child("Emil").id) in [
        Birthday(b.date, b.name, b.group_name, b.person_id) for b in found
    ]
    # The viewer's own groups when none are named (a month view).
    assert {b.person_id for b in birthdays_between(mette, None, date(2025, 1, 1), date(2025, 12, 31))} == {
        b.person_id for b in found
    }
    # A window across New Year, and an empty one.
    assert birthdays_between(mette, groups, date(2025, 12, 1), date(2026, 1, 31)) == []
    assert birthdays_between(mette, groups, date(2025, 3, 15), date(2025, 3, 1)) == []
    # Groups the viewer may not see give nothing.
    assert birthdays_between(viewer("karin", "employee"), [group("3.B").id], date(2025, 1, 1), date(2025, 12, 31)) == []


def test_29_february_is_28_february_in_other_years() -> None:
    assert birthday_in(2025, date(2020, 2, 29)) == date(2025, 2, 28)
    assert birthday_in(2028, date(2020, 2, 29)) == date(2028, 2, 29)
    leap_child = add_birthday_children(1, born=date(2020, 2, 29))[0]
    karin = viewer("karin", "employee")
    blaa = [group("Blå stue").id]
    assert [
        b.date
        for b in birthdays_between(karin, blaa, date(2025, 2, 28), date(2025, 2, 28))
        if b.person_id == leap_child.id
    ] == [date(2025, 2, 28)]
    assert [
        b.date
        for b in birthdays_between(karin, blaa, date(2028, 2, 1), date(2028, 3, 1))
        if b.person_id == leap_child.id
    ] == [date(2028, 2, 29)]
    assert not [
        b for b in birthdays_between(karin, blaa, date(2028, 2, 28), date(2028, 2, 28)) if b.person_id == leap_child.id
    ]


def test_a_window_across_new_year_finds_january_birthdays() -> None:
    kid = add_birthday_children(1, born=date(2021, 1, 5))[0]
    found = birthdays_between(
        viewer("karin", "employee"), [group("Blå stue").id], date(2025, 12, 20), date(2026, 1, 10)
    )
    assert [(b.date, b.age) for b in found if b.person_id == kid.id] == [(date(2026, 1, 5), 5)]


def test_the_birthdays_page_has_a_fixed_query_count(client: Client) -> None:
    sign_in(client, "karin", role="employee")
    url = reverse("calendar:birthdays", args=[group("Blå stue").id])
    month = {"maaned": f"{date.today().year}-03"}
    client.get(url, month)
    with assert_max_queries(40) as few:
        assert "Emil Hansen" in client.get(url, month).content.decode()
    add_birthday_children(12)
    with assert_max_queries(len(few)) as many:
        html = client.get(url, month).content.decode()
    assert "Fødselar11 Test" in html
    assert len(many) == len(few)

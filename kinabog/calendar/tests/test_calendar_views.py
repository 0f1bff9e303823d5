"""The day, month and agenda pages and the calendars of a group and a child, through HTTP as the demo people."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinabog.calendar import actions
from kinabog.calendar.models import Event, Repeat
from kinabog.consents.models import Consent
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, InstitutionProfile, Membership, Municipality, Person

from .conftest import group_3b, sofie, viewer

pytestmark = pytest.mark.django_db

# Queries of a page, whatever the number of events, groups or bookings: session and login, the viewer,
# the events (three), bookings and the children's names, birthdays, the group or the child.
BUDGET = {"day": 19, "month": 21, "agenda": 19, "group": 18, "child": 21}
DAY = timezone.localdate() + timedelta(days=3)


def blaa() -> Group:
    return Group.objects.get(name="Blå stue")


def emil() -> Person:
    return Person.objects.get(first_name="Emil")


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def karins_event(title: str = "Bål i haven", day: date = DAY) -> Event:
    return actions.create_event(
        viewer("karin", "employee"),
        actions.EventInput(title=title, starts_at=at(day, 9), ends_at=at(day, 11), group_ids=(blaa().id,)),
    )


def signed_in(username: str, role: str | None = None) -> Client:
    client = Client()
    sign_in(client, username, role=role)
    return client


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def child_url(person: Person, **params: str) -> str:
    return _with(reverse("calendar:child", args=[person.id]), params)


def group_url(group: Group, **params: str) -> str:
    return _with(reverse("calendar:group", args=[group.id]), params)


def _with(url: str, params: dict[str, str]) -> str:
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# --- What people see ---------------------------------------------------------------------------------------


def test_mette_sees_emils_blaa_stue_event_in_the_month_view_and_in_emils_calendar() -> None:
    karins_event()
    mette = signed_in("mette", "guardian")
    month = mette.get(reverse("calendar:month"), {"maaned": month_of(DAY)})
    assert month.status_code == 200
    page = month.content.decode()
    assert "Bål i haven" in page and "<caption>" in page and 'scope="col"' in page
    child_page = mette.get(child_url(emil(), visning="maaned", maaned=month_of(DAY))).content.decode()
    assert "Bål i haven" in child_page and "Kalender for Emil Hansen" in child_page
    for url in (
        reverse("calendar:day") + f"?dato={DAY.isoformat()}",
        reverse("calendar:agenda") + f"?fra={timezone.localdate().isoformat()}",
        child_url(emil(), visning="dag", dato=DAY.isoformat()),
        child_url(emil(), visning="uge", uge=DAY.isoformat()),
        child_url(emil(), visning="agenda", fra=DAY.isoformat()),
    ):
        assert "Bål i haven" in mette.get(url).content.decode(), url


def test_a_childs_calendar_shows_that_childs_events_only() -> None:
    karins_event()
    actions.create_event(
        viewer("birgitte", "employee"),
        actions.EventInput(title="Matematikdag", starts_at=at(DAY, 8), ends_at=at(DAY, 12), group_ids=(group_3b().id,)),
    )
    mette = signed_in("mette", "guardian")
    emils = mette.get(child_url(emil(), visning="dag", dato=DAY.isoformat())).content.decode()
    sofies = mette.get(child_url(sofie(), visning="dag", dato=DAY.isoformat())).content.decode()
    assert "Bål i haven" in emils and "Matematikdag" not in emils
    assert "Matematikdag" in sofies and "Bål i haven" not in sofies
    own = mette.get(reverse("calendar:day"), {"dato": DAY.isoformat()}).content.decode()
    assert "Bål i haven" in own and "Matematikdag" in own


def test_a_childs_calendar_shows_the_childs_samtale_booking(conference: Event) -> None:
    slot = conference.slots.order_by("starts_at").first()
    assert slot is not None
    actions.book(viewer("mette", "guardian"), conference.id, slot.id, sofie().id)
    day = timezone.localtime(slot.starts_at).date()
    mette = signed_in("mette", "guardian")
    page = mette.get(child_url(sofie(), visning="dag", dato=day.isoformat())).content.decode()
    assert "Skole-hjem-samtaler: Sofie" in page
    assert (
        "Skole-hjem-samtaler: Sofie"
        not in mette.get(child_url(emil(), visning="dag", dato=day.isoformat())).content.decode()
    )
    birgitte = signed_in("birgitte", "employee")
    staff_page = birgitte.get(child_url(sofie(), visning="dag", dato=day.isoformat())).content.decode()
    assert "Skole-hjem-samtaler: Sofie" in staff_page


def test_a_repeating_event_shows_on_every_date_of_the_month() -> None:
    first = DAY.replace(day=1)
    karin = InstitutionProfile.objects.get(person__login__username="karin", role="employee")
    event = Event.objects.create(
        institution_id=karin.institution_id,
        creator=karin,
        title="Sang hver mandag",
        starts_at=at(first, 9),
        ends_at=at(first, 10),
        repeat=Repeat.WEEKLY,
        repeat_until=first + timedelta(days=27),
    )
    event.groups.set([blaa()])
    page = signed_in("mette", "guardian").get(reverse("calendar:month"), {"maaned": month_of(first)}).content.decode()
    assert page.count("Sang hver mandag") == 4


# --- Who may see ----------------------------------------------------------------------------------------------


def test_peter_without_custody_gets_404_on_the_childrens_calendars() -> None:
    peter = signed_in("peter", "guardian")
    assert peter.get(child_url(emil())).status_code == 404
    assert peter.get(child_url(sofie())).status_code == 404
    assert 'href="/kalender/barn/' not in peter.get(reverse("institutions:overview")).content.decode()


def test_peter_sees_sofies_calendar_when_the_municipality_extends_access() -> None:
    Municipality.objects.update(non_custody_extended_access=True)
    peter = signed_in("peter", "guardian")
    assert peter.get(child_url(sofie())).status_code == 200
    assert peter.get(child_url(emil())).status_code == 404


def test_staff_of_the_childs_institution_see_its_calendar_others_do_not() -> None:
    karins_event()
    karin = signed_in("karin", "employee")
    assert "Bål i haven" in karin.get(child_url(emil(), visning="dag", dato=DAY.isoformat())).content.decode()
    assert signed_in("anders", "employee").get(child_url(emil())).status_code == 200
    assert signed_in("birgitte", "employee").get(child_url(emil())).status_code == 404
    assert signed_in("karin", "employee").get(child_url(sofie())).status_code == 404


def test_the_group_calendar_is_for_those_who_see_the_groups_content() -> None:
    karins_event()
    url = group_url(blaa(), visning="uge", uge=DAY.isoformat())
    for username, role in (("karin", "employee"), ("anders", "employee"), ("mette", "guardian"), ("jonas", "guardian")):
        response = signed_in(username, role).get(url)
        assert response.status_code == 200, username
        assert "Bål i haven" in response.content.decode(), username
    for username, role in (("birgitte", "employee"), ("peter", "guardian"), ("birgitte", "guardian")):
        assert signed_in(username, role).get(url).status_code == 404, username
    karin = signed_in("karin", "employee")
    assert karin.get(reverse("calendar:group", args=[99_999_999])).status_code == 404
    assert karin.get(f"/kalender/gruppe/{10**30}/").status_code == 404


def test_the_group_calendar_shows_only_that_groups_events() -> None:
    karins_event()
    green = Group.objects.get(name="Grøn stue")
    anders = viewer("anders", "employee")
    # Anders handles events at Katamaranen but is no member of Grøn stue: create the event directly.
    event = Event.objects.create(
        institution_id=green.institution_id, title="Grøn tur", starts_at=at(DAY, 10), ends_at=at(DAY, 12)
    )
    event.groups.set([green])
    assert anders.leader_institution_ids
    leader = signed_in("anders", "employee")
    blue_page = leader.get(group_url(blaa(), visning="dag", dato=DAY.isoformat())).content.decode()
    green_page = leader.get(group_url(green, visning="dag", dato=DAY.isoformat())).content.decode()
    assert "Bål i haven" in blue_page and "Grøn tur" not in blue_page
    assert "Grøn tur" in green_page and "Bål i haven" not in green_page


def test_the_group_and_child_pages_link_to_their_calendars() -> None:
    mette = signed_in("mette", "guardian")
    group_page = mette.get(reverse("institutions:group", args=[blaa().id])).content.decode()
    assert f'href="{reverse("calendar:group", args=[blaa().id])}"' in group_page
    child_page = mette.get(reverse("institutions:child", args=[emil().id])).content.decode()
    assert f'href="{reverse("calendar:child", args=[emil().id])}"' in child_page
    overview = mette.get(reverse("institutions:overview")).content.decode()
    assert f'href="{reverse("calendar:child", args=[sofie().id])}"' in overview


# --- Birthdays ----------------------------------------------------------------------------------------------


def test_birthdays_show_in_the_month_view_and_the_group_calendar_with_consent() -> None:
    child = emil()
    assert child.birth_date is not None
    Consent.objects.update_or_create(
        child=child, kind="birthday_in_group", defaults={"given": True, "answered_at": timezone.now()}
    )
    year = timezone.localdate().year + 1
    month = f"{year}-{child.birth_date.month:02d}"
    mette = signed_in("mette", "guardian")
    for page in (
        mette.get(reverse("calendar:month"), {"maaned": month}).content.decode(),
        mette.get(group_url(blaa(), visning="maaned", maaned=month)).content.decode(),
    ):
        assert "Fødselsdag: Emil Hansen" in page
        assert '<span aria-hidden="true">🎂</span>' in page


# --- The pages themselves ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/kalender/dag/", "Dag"),
        ("/kalender/", "Uge"),
        ("/kalender/maaned/", "Måned"),
        ("/kalender/agenda/", "Agenda"),
    ],
)
def test_every_view_has_the_switcher_with_the_current_view_marked(url: str, current: str) -> None:
    page = signed_in("mette", "guardian").get(url).content.decode()
    switcher = re.search(r'<nav class="calendar-views".*?</nav>', page, re.S)
    assert switcher is not None
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', switcher.group(0))
    assert [label for _href, _current, label in links] == ["Dag", "Uge", "Måned", "Agenda"]
    assert [label for _href, marked, label in links if marked] == [current]
    assert ">I dag</a>" in switcher.group(0)


def test_previous_and_next_links_move_by_the_views_step() -> None:
    mette = signed_in("mette", "guardian")
    day = mette.get(reverse("calendar:day"), {"dato": "2031-03-01"}).content.decode()
    assert "?dato=2031-02-28" in day and "?dato=2031-03-02" in day
    month = mette.get(reverse("calendar:month"), {"maaned": "2031-01"}).content.decode()
    assert "?maaned=2030-12" in month and "?maaned=2031-02" in month
    agenda = mette.get(reverse("calendar:agenda"), {"fra": "2031-03-01"}).content.decode()
    assert "?fra=2031-03-31" in agenda and "Vis mere" in agenda
    group = mette.get(group_url(blaa(), visning="maaned", maaned="2031-01")).content.decode()
    assert "visning=maaned&amp;maaned=2031-02" in group and "visning=uge&amp;uge=2031-01-01" in group


def test_empty_days_say_nothing_is_planned() -> None:
    mette = signed_in("mette", "guardian")
    assert "Intet planlagt." in mette.get(reverse("calendar:day"), {"dato": "2031-03-01"}).content.decode()
    assert (
        "Intet planlagt i denne måned." in mette.get(reverse("calendar:month"), {"maaned": "2031-07"}).content.decode()
    )
    assert "Intet planlagt i perioden." in mette.get(reverse("calendar:agenda"), {"fra": "2031-03-01"}).content.decode()
    group_page = mette.get(group_url(blaa(), visning="uge", uge="2031-03-03")).content.decode()
    assert group_page.count("Intet planlagt.") == 7
    assert "Intet planlagt" in mette.get(child_url(emil(), visning="agenda", fra="2031-03-01")).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/kalender/dag/?dato=2025-13-45",
        "/kalender/dag/?dato=99999-01-01",
        "/kalender/maaned/?maaned=marts",
        "/kalender/maaned/?maaned=2025-00",
        "/kalender/agenda/?fra=0001-01-01",
        "/kalender/agenda/?fra=9999-12-31",
    ],
)
def test_a_date_that_cannot_be_read_shows_today_with_a_note(url: str) -> None:
    response = signed_in("mette", "guardian").get(url)
    assert response.status_code == 200
    assert "Datoen eller visningen kunne ikke læses, så i dag vises." in response.content.decode()


def test_an_unknown_view_of_a_group_calendar_shows_the_month_with_a_note() -> None:
    response = signed_in("karin", "employee").get(group_url(blaa(), visning="aar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "kunne ikke læses" in page and "<caption>" in page


def test_the_pages_speak_english_when_chosen() -> None:
    mette = signed_in("mette", "guardian")
    mette.post("/sprog/", {"language": "en", "next": "/kalender/maaned/"})
    page = mette.get(reverse("calendar:month"), {"maaned": "2031-07"}).content.decode()
    assert ">Month</a>" in page and ">Today</a>" in page and "Nothing planned this month." in page


def test_anonymous_people_are_sent_to_log_in() -> None:
    for url in ("/kalender/dag/", "/kalender/maaned/", "/kalender/agenda/", child_url(emil()), group_url(blaa())):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- Query counts ---------------------------------------------------------------------------------------------


def _load(count: int) -> None:
    """`count` events on DAY, each for a new group of Katamaranen that Emil and Mette's viewer are in."""
    institution_id = blaa().institution_id
    emil_profile = InstitutionProfile.objects.get(person=emil(), institution_id=institution_id)
    existing = Group.objects.filter(name__startswith="Ekstra ").count()
    for i in range(existing, existing + count):
        group = Group.objects.create(
            municipality_id=blaa().municipality_id, institution_id=institution_id, name=f"Ekstra {i}"
        )
        Membership.objects.create(group=group, profile=emil_profile)
        event = Event.objects.create(
            institution_id=institution_id, title=f"Begivenhed {i}", starts_at=at(DAY, 8), ends_at=at(DAY, 9)
        )
        event.groups.set([group, blaa()])


def _pages() -> dict[str, str]:
    return {
        "day": reverse("calendar:day") + f"?dato={DAY.isoformat()}",
        "month": reverse("calendar:month") + f"?maaned={month_of(DAY)}",
        "agenda": reverse("calendar:agenda") + f"?fra={DAY.isoformat()}",
        "group": group_url(blaa(), visning="maaned", maaned=month_of(DAY)),
        "child": child_url(emil(), visning="maaned", maaned=month_of(DAY)),
    }


def _counts(client: Client, expect: str) -> dict[str, int]:
    counts = {}
    for name, url in _pages().items():
        with assert_max_queries(BUDGET[name]) as log:
            response = client.get(url)
        assert response.status_code == 200, name
        assert expect in response.content.decode(), name
        counts[name] = len(log)
    return counts


def test_every_page_has_a_query_count_that_does_not_grow_with_events_or_groups() -> None:
    mette = signed_in("mette", "guardian")
    _load(2)
    mette.get(_pages()["day"])  # warm the session
    few = _counts(mette, "Begivenhed 1")
    _load(28)
    many = _counts(mette, "Begivenhed 29")
    assert many == few

"""Komme/gå pages through HTTP for every role: staff, guardians, administrators and the kiosk screen."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.institutions.tests.factories import MembershipFactory, RelationFactory
from kinabog.presence import actions, queries
from kinabog.presence.models import (
    KioskDevice,
    Location,
    OpeningHours,
    PickupPerson,
    PresenceDay,
    PresenceEvent,
    PresenceSettings,
    PresenceTemplate,
    SpecialDay,
    Status,
    VacationRegistration,
)
from kinabog.presence.views_kiosk import KIOSK_COOKIE

pytestmark = pytest.mark.django_db


def viewer(username: str, role: str | None = None) -> Viewer:
    return build_viewer(Person.objects.get(login__username=username).login_id, role, 2)


def child(first: str) -> InstitutionProfile:
    return InstitutionProfile.objects.get(
        person__first_name=first, role__in=["child", "pupil"], institution__kind__in=["daycare", "sfo", "club"]
    )


def staff_url(profile: InstitutionProfile, **query: str) -> str:
    url = reverse("presence:staff", args=[profile.institution_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def html_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def section_of(html: str, marker: str) -> str:
    """The <section> of the guardian page that holds `marker` (a child's name)."""
    start = html.index(marker)
    return html[html.rindex("<section", 0, start) : html.index("</section>", start)]


# --- Staff ----------------------------------------------------------------------------------------------


def test_karin_checks_emil_in_and_mette_sees_it(client):
    emil = child("Emil")
    sign_in(client, "karin")
    assert client.get(reverse("presence:index")).url == reverse("presence:staff", args=[emil.institution_id])
    html = html_of(client.get(staff_url(emil)))
    assert "Emil Hansen" in html and "Blå stue" in html

    response = client.post(
        reverse("presence:staff_action", args=[emil.institution_id]), {"quick": f"check_in:{emil.id}", "gruppe": "alle"}
    )
    assert response.status_code == 302 and response.url.endswith("?gruppe=alle")
    day = PresenceDay.objects.get(child=emil)
    assert day.status == Status.PRESENT and day.checked_in_by.first_name == "Karin"

    guardian = Client()
    sign_in(guardian, "mette", role="guardian")
    card = section_of(html_of(guardian.get(reverse("presence:index"))), "Emil Hansen")
    assert "Kommet" in card and "Ikke kommet" not in card


def test_staff_checks_several_children_in_and_out_at_once(client):
    emil = child("Emil")
    others = list(
        InstitutionProfile.objects.filter(memberships__group__name="Blå stue", role="child").exclude(pk=emil.pk)[:2]
    )
    ids = [emil.id, *(p.id for p in others)]
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    response = client.post(url, {"barn": ids, "handling": "check_in", "gruppe": "alle"})
    assert response.status_code == 302
    assert PresenceDay.objects.filter(child_id__in=ids, status=Status.PRESENT).count() == 3
    html = html_of(client.get(staff_url(emil, gruppe="alle", status="present")))
    assert all(p.person.full_name in html for p in [emil, *others])
    assert '<span class="count-n">3</span> <span class="count-label">Kommet</span>' in html

    client.post(url, {"barn": ids[:2], "handling": "check_out", "gruppe": "alle"})
    assert PresenceDay.objects.filter(child_id__in=ids, status=Status.CHECKED_OUT).count() == 2
    html = html_of(client.get(staff_url(emil, gruppe="alle", status="checked_out")))
    assert emil.person.full_name in html and others[1].person.full_name not in html


def test_field_trip_location_sleep_and_note(client):
    emil = child("Emil")
    location = Location.objects.create(institution_id=emil.institution_id, name="Skoven")
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    client.post(url, {"quick": f"check_in:{emil.id}"})
    client.post(url, {"barn": [emil.id], "handling": "status", "status_value": str(Status.FIELDTRIP)})
    assert PresenceDay.objects.get(child=emil).status == Status.FIELDTRIP
    client.post(url, {"barn": [emil.id], "handling": "location", "location": str(location.id)})
    assert PresenceDay.objects.get(child=emil).location == location
    client.post(url, {"barn": [emil.id], "handling": "sleep_start"})
    assert PresenceDay.objects.get(child=emil).status == Status.SLEEPING
    client.post(url, {"barn": [emil.id], "handling": "sleep_end"})
    assert PresenceDay.objects.get(child=emil).status == Status.PRESENT
    day_url = reverse("presence:child_action", args=[emil.id])
    assert client.post(day_url, {"handling": "comment", "comment": "Har spist godt"}).status_code == 302
    assert PresenceDay.objects.get(child=emil).comment == "Har spist godt"

    html = html_of(client.get(reverse("presence:child_day", args=[emil.id])))
    for text in ("Tjekket ind", "Status: På tur", "Sted ændret", "Faldt i søvn", "Vågnet", "Karin Jensen", "Skoven"):
        assert text in html, text
    guardian = Client()
    sign_in(guardian, "mette", role="guardian")
    assert "Har spist godt" in html_of(guardian.get(reverse("presence:index")))


def test_staff_bad_input_answers_400_and_changes_nothing(client):
    emil = child("Emil")
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    # Nothing ticked.
    response = client.post(url, {"handling": "check_in"})
    assert response.status_code == 400 and "Sæt først flueben" in html_of(response)
    # Check-out before check-in.
    response = client.post(url, {"quick": f"check_out:{emil.id}"})
    assert response.status_code == 400 and "ikke tjekket ind" in html_of(response)
    # An unknown action and a status staff do not set by hand.
    assert client.post(url, {"barn": [emil.id], "handling": "explode"}).status_code == 400
    response = client.post(url, {"barn": [emil.id], "handling": "status", "status_value": "8"})
    assert response.status_code == 400
    assert not PresenceEvent.objects.filter(day__child=emil).exists()
    # A sick child is not checked in by mistake.
    actions.report_sick(viewer("mette", "guardian"), emil.id)
    response = client.post(url, {"quick": f"check_in:{emil.id}"})
    assert response.status_code == 400 and "meldt syg" in html_of(response)
    assert PresenceDay.objects.get(child=emil).status == Status.SICK


def test_one_child_that_may_not_be_handled_undoes_the_whole_request(client):
    emil, noah = child("Emil"), child("Noah")
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    assert client.post(url, {"barn": [emil.id, noah.id], "handling": "check_in"}).status_code == 404
    assert not PresenceDay.objects.filter(child__in=[emil, noah]).exists()


def test_staff_page_query_count_does_not_grow_with_children(client):
    emil = child("Emil")
    blue = Group.objects.get(name="Blå stue")
    sign_in(client, "karin")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    room, everyone = staff_url(emil, gruppe=str(blue.id)), staff_url(emil, gruppe="alle")
    karin = viewer("karin")
    actions.check_in(karin, emil.id)  # with a day in the room, its sleep is loaded too
    count(room)  # the first request writes the session's last-seen time
    before = (count(room), count(everyone))
    extra = [MembershipFactory(group=blue).profile for _ in range(25)]
    for profile in extra[:10]:
        actions.check_in(karin, profile.id)
    for profile in extra[10:15]:
        PresenceTemplate.objects.create(
            child=profile, by_date=timezone.localdate(), exit_time=time(15), exit_with="Mor"
        )
    actions.start_sleep(karin, extra[0].id)
    after = (count(room), count(everyone))
    assert after == before
    with assert_max_queries(20):
        html = html_of(client.get(room))
    assert html.count('class="child-row') == 6 + 25


def test_staff_filters_by_group_and_defaults_to_own_room(client):
    emil = child("Emil")
    green_child = InstitutionProfile.objects.filter(memberships__group__name="Grøn stue").first()
    sign_in(client, "karin")
    html = html_of(client.get(staff_url(emil)))  # karin's own room: Blå stue
    assert "Emil Hansen" in html and green_child.person.full_name not in html
    html = html_of(client.get(staff_url(emil, gruppe="alle")))
    assert green_child.person.full_name in html


@pytest.mark.parametrize("username", ["mette", "peter", "lars", "birgitte", "ole", "hanne", "thomas", "freja"])
def test_others_get_404_on_the_staff_page(client, username):
    emil = child("Emil")
    sign_in(client, username)
    assert client.get(staff_url(emil)).status_code == 404
    url = reverse("presence:staff_action", args=[emil.institution_id])
    assert client.post(url, {"quick": f"check_in:{emil.id}"}).status_code == 404
    assert client.post(reverse("presence:child_action", args=[emil.id]), {"handling": "check_in"}).status_code == 404
    assert not PresenceDay.objects.filter(child=emil).exists()


def test_karin_cannot_see_noah_at_kahytten(client):
    noah = child("Noah")
    sign_in(client, "karin")
    assert client.get(reverse("presence:child_day", args=[noah.id])).status_code == 404
    assert client.get(staff_url(noah)).status_code == 404


def test_anders_chooses_between_his_institutions(client):
    sign_in(client, "anders")
    html = html_of(client.get(reverse("presence:index")))
    assert "Børnehuset Katamaranen" in html and "Børnehaven Kahytten" in html
    assert html.count("Åbningstider og indstillinger") == 2 and "Havnby Skole" not in html


# --- A child's day ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "role", "status"),
    [
        ("mette", "guardian", 200),
        ("jonas", "guardian", 200),
        ("karin", None, 200),
        ("anders", None, 200),
        ("peter", "guardian", 404),
        ("lars", "guardian", 404),
        ("birgitte", "guardian", 404),
        ("birgitte", "employee", 404),
        ("ole", None, 404),
        ("hanne", None, 404),
        ("thomas", None, 404),
        ("freja", None, 404),
    ],
)
def test_emils_day_follows_the_access_matrix(client, username, role, status):
    sign_in(client, username, role=role)
    assert client.get(reverse("presence:child_day", args=[child("Emil").id])).status_code == status


def test_unknown_child_is_404(client):
    sign_in(client, "karin")
    assert client.get(reverse("presence:child_day", args=[999999])).status_code == 404


# --- Guardians ----------------------------------------------------------------------------------------------


def test_mette_sets_next_weeks_planned_times_and_jonas_and_karin_see_them(client):
    emil = child("Emil")
    monday = next_monday()
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:planned_times", args=[emil.id])
    form = client.get(f"{url}?dato={monday.isoformat()}")
    assert form.status_code == 200 and "Mette Hansen" in html_of(form)
    response = client.post(
        url,
        {
            "by_date": monday.isoformat(),
            "entry_time": "07:30",
            "exit_time": "15:30",
            "activity_type": "0",
            "exit_with": "Jonas Hansen",
            "repeat": "weekly",
            "repeat_until": (monday + timedelta(days=28)).isoformat(),
            "comment": "",
        },
    )
    assert response.status_code == 302
    template = PresenceTemplate.objects.get(child=emil)
    assert (template.by_date, template.repeat, template.exit_with) == (monday, "weekly", "Jonas Hansen")

    other = Client()
    sign_in(other, "jonas", role="guardian")
    week = html_of(other.get(f"{reverse('presence:index')}?uge={monday.isoformat()}"))
    card = section_of(week, "Emil Hansen")
    assert "07:30–15:30" in card and "Hentes af Jonas Hansen" in card
    assert "07:30" not in section_of(week, "Sofie Hansen")

    # On the day itself the staff see the plan.
    staff = viewer("karin")
    rows = {r.profile.id: r for r in queries.staff_day(staff, emil.institution_id, monday + timedelta(days=7)).rows}
    assert rows[emil.id].planned.exit_with == "Jonas Hansen"


def test_planned_times_with_self_decider_send_home_and_go_home_with(client):
    sofie = child("Sofie")
    day = next_monday() + timedelta(days=1)
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:planned_times", args=[sofie.id])
    base = {"by_date": day.isoformat(), "entry_time": "", "exit_time": "16:00", "repeat": "never"}
    response = client.post(
        url, {**base, "activity_type": "1", "self_decider_start": "14:00", "self_decider_end": "15:00"}
    )
    assert response.status_code == 302
    assert PresenceTemplate.objects.get(child=sofie).self_decider_start == time(14)
    assert client.post(url, {**base, "activity_type": "2"}).status_code == 302
    assert PresenceTemplate.objects.filter(child=sofie, activity_type=2).exists()

    # Emil may go home with a child from his own room (Ida, protected, would appear by her alias only).
    emil = child("Emil")
    roommate = InstitutionProfile.objects.filter(memberships__group__name="Blå stue", role="child").exclude(pk=emil.pk)[
        0
    ]
    green = InstitutionProfile.objects.filter(memberships__group__name="Grøn stue").first()
    emil_url = reverse("presence:planned_times", args=[emil.id])
    page = html_of(client.get(emil_url))
    assert roommate.person.full_name in page and green.person.full_name not in page
    data = {**base, "activity_type": "3", "go_home_with": roommate.person.full_name}
    assert client.post(emil_url, data).status_code == 302
    assert PresenceTemplate.objects.get(child=emil).exit_with == roommate.person.full_name


def test_the_week_says_how_each_day_ends_and_escapes_what_was_typed(client):
    emil = child("Emil")
    monday = next_monday()
    plans = [
        {"entry_time": time(7, 30), "exit_time": time(16), "activity_type": 0, "exit_with": "Mor & <Far>"},
        {"exit_time": time(16), "activity_type": 1, "self_decider_start": time(14), "self_decider_end": time(15)},
        {"entry_time": time(8), "activity_type": 2},
        {"activity_type": 3, "exit_with": "Oscar"},
        {"activity_type": 0},
    ]
    for offset, plan in enumerate(plans):
        PresenceTemplate.objects.create(child=emil, by_date=monday + timedelta(days=offset), **plan)
    sign_in(client, "mette", role="guardian")
    week = section_of(html_of(client.get(f"{reverse('presence:index')}?uge={monday.isoformat()}")), "Emil Hansen")
    for text in (
        "07:30–16:00 · Hentes af Mor &amp; &lt;Far&gt;",
        "…–16:00 · Selvbestemmer 14:00–15:00",
        "08:00–… · Sendes hjem",
        '<span class="plan">Går hjem med Oscar</span>',
        '<span class="plan">Hentes af …</span>',
    ):
        assert text in week, text
    assert "<Far>" not in week


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exit_time": "07:00"}, "exit_time"),  # before arrival
        ({"by_date": "2000-01-03"}, "by_date"),  # in the past
        ({"exit_with": ""}, "exit_with"),  # nobody picks up
        ({"exit_with": "Ukendt Person"}, "exit_with"),  # not on the list
        ({"activity_type": "1"}, "self_decider_start"),  # self-decider without a window
        ({"activity_type": "3"}, "go_home_with"),  # goes home with nobody
        ({"repeat": "daily"}, "repeat"),
        ({"entry_time": "25:00"}, "entry_time"),
        ({"repeat": "weekly", "repeat_until": "2000-01-01"}, "repeat_until"),
    ],
)
def test_bad_planned_times_answer_400_next_to_the_field_and_store_nothing(client, change, field):
    emil = child("Emil")
    sign_in(client, "mette", role="guardian")
    data = {
        "by_date": next_monday().isoformat(),
        "entry_time": "08:00",
        "exit_time": "15:00",
        "activity_type": "0",
        "exit_with": "Mette Hansen",
        "repeat": "never",
        **change,
    }
    response = client.post(reverse("presence:planned_times", args=[emil.id]), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert f'id="id_{field}_error"' in html_of(response)
    assert not PresenceTemplate.objects.exists()


def test_planned_times_outside_opening_hours_are_refused(client):
    emil = child("Emil")
    for weekday in range(5):
        OpeningHours.objects.create(
            institution_id=emil.institution_id, weekday=weekday, opens=time(6, 30), closes=time(17)
        )
    sign_in(client, "mette", role="guardian")
    data = {"by_date": next_monday().isoformat(), "entry_time": "06:00", "exit_time": "15:00", "activity_type": "2"}
    response = client.post(reverse("presence:planned_times", args=[emil.id]), {**data, "repeat": "never"})
    assert response.status_code == 400 and "06:30" in html_of(response)
    assert not PresenceTemplate.objects.exists()


def test_report_sick_and_undo(client):
    emil = child("Emil")
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:report_sick", args=[emil.id])
    assert client.post(url, {"syg": "1"}).status_code == 302
    assert PresenceDay.objects.get(child=emil).status == Status.SICK
    staff = Client()
    sign_in(staff, "karin")
    assert '<span class="count-n">1</span> <span class="count-label">Syg</span>' in html_of(staff.get(staff_url(emil)))
    card = section_of(html_of(client.get(reverse("presence:index"))), "Emil Hansen")
    assert "Fortryd sygemelding" in card
    assert client.post(url, {"syg": "0"}).status_code == 302
    assert PresenceDay.objects.get(child=emil).status == Status.NOT_PRESENT


def test_sick_report_after_check_in_answers_400(client):
    emil = child("Emil")
    actions.check_in(viewer("karin"), emil.id)
    sign_in(client, "mette", role="guardian")
    response = client.post(reverse("presence:report_sick", args=[emil.id]), {"syg": "1"})
    assert response.status_code == 400
    assert "Ring til institutionen" in section_of(html_of(response), "Emil Hansen")
    assert PresenceDay.objects.get(child=emil).status == Status.PRESENT


def test_vacation_is_registered_and_overlap_refused(client):
    emil = child("Emil")
    start = timezone.localdate() + timedelta(days=10)
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:vacation", args=[emil.id])
    data = {
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=4)).isoformat(),
        "comment": "Sommerhus",
    }
    assert client.post(url, data).status_code == 302
    assert VacationRegistration.objects.get(child=emil.person).comment == "Sommerhus"
    assert "Sommerhus" in html_of(client.get(reverse("presence:index")))

    response = client.post(url, {**data, "comment": "Igen"})
    assert response.status_code == 400 and response.context["form"].errors["start_date"]
    response = client.post(url, {"start_date": data["end_date"], "end_date": data["start_date"]})
    assert response.status_code == 400 and response.context["form"].errors["end_date"]
    response = client.post(url, {"start_date": "2001-01-01", "end_date": "2001-01-02"})
    assert response.status_code == 400 and response.context["form"].errors["start_date"]
    assert VacationRegistration.objects.count() == 1


def test_vacation_shows_in_the_week_and_the_staff_count(client):
    emil = child("Emil")
    today = timezone.localdate()
    actions.register_vacation(viewer("mette", "guardian"), emil.id, today, today)
    sign_in(client, "karin")
    assert '<span class="count-n">1</span> <span class="count-label">Ferie/fri</span>' in html_of(
        client.get(staff_url(emil))
    )


def test_pickup_people_are_kept_and_offered_in_planned_times(client):
    emil = child("Emil")
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:pickup_people", args=[emil.id])
    assert client.post(url, {"name": "  Mormor   Inge "}).status_code == 302
    person = PickupPerson.objects.get(child=emil.person)
    assert person.name == "Mormor Inge"
    response = client.post(url, {"name": "mormor inge"})
    assert response.status_code == 400 and response.context["form"].errors["name"]
    assert client.post(url, {"name": ""}).status_code == 400

    other = Client()
    sign_in(other, "jonas", role="guardian")
    assert "Mormor Inge" in html_of(other.get(reverse("presence:planned_times", args=[emil.id])))
    data = {"by_date": next_monday().isoformat(), "exit_time": "15:00", "activity_type": "0", "repeat": "never"}
    response = other.post(reverse("presence:planned_times", args=[emil.id]), {**data, "exit_with": "Mormor Inge"})
    assert response.status_code == 302

    remove = reverse("presence:remove_pickup_person", args=[emil.id, person.id])
    assert client.post(remove).status_code == 302
    assert not PickupPerson.objects.exists()
    assert client.post(remove).status_code == 404


@pytest.mark.parametrize(
    ("username", "role"),
    [("peter", "guardian"), ("lars", "guardian"), ("birgitte", "guardian"), ("karin", None), ("anders", None)],
)
def test_guardian_pages_for_emil_are_404_for_others(client, username, role):
    emil = child("Emil")
    sign_in(client, username, role=role)
    for name in ("planned_times", "vacation", "pickup_people"):
        assert client.get(reverse(f"presence:{name}", args=[emil.id])).status_code == 404, name
    assert client.post(reverse("presence:report_sick", args=[emil.id]), {"syg": "1"}).status_code == 404
    data = {"start_date": next_monday().isoformat(), "end_date": next_monday().isoformat()}
    assert client.post(reverse("presence:vacation", args=[emil.id]), data).status_code == 404
    assert client.post(reverse("presence:pickup_people", args=[emil.id]), {"name": "X"}).status_code == 404
    assert not PresenceDay.objects.exists() and not VacationRegistration.objects.exists()
    assert not PickupPerson.objects.exists()


def test_peter_sees_no_children_on_the_guardian_page(client):
    sign_in(client, "peter", role="guardian")
    html = html_of(client.get(reverse("presence:index")))
    assert "Sofie" not in html and "Ingen af dine børn" in html


def test_guardian_page_query_count_does_not_grow_with_children(client):
    sign_in(client, "mette", role="guardian")
    url = reverse("presence:index")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    count()
    before = count()
    mette = Person.objects.get(first_name="Mette")
    for group in Group.objects.filter(name__in=["Grøn stue", "Søstjernerne", "Klub Bølgen"]):
        for _ in range(3):
            RelationFactory(guardian=mette, child=MembershipFactory(group=group).profile.person)
    assert count() == before


def test_nav_shows_komme_gaa_to_the_right_people(client):
    for username, role, shown in [
        ("mette", "guardian", True),
        ("lars", "guardian", True),
        ("karin", None, True),
        ("hanne", None, True),
        ("anders", None, True),
        ("peter", "guardian", False),
        ("ole", None, False),
        ("birgitte", "employee", False),
        ("birgitte", "guardian", True),
        ("freja", None, False),
    ]:
        sign_in(client, username, role=role)
        html = html_of(client.get(reverse("institutions:profile")))
        assert (f'href="{reverse("presence:index")}"' in html) == shown, username


def test_guardian_modules_follow_the_institution_settings(client):
    emil = child("Emil")
    PresenceSettings.objects.create(
        institution_id=emil.institution_id, guardians_report_sick=False, guardians_vacation=False
    )
    sign_in(client, "mette", role="guardian")
    card = section_of(html_of(client.get(reverse("presence:index"))), "Emil Hansen")
    assert "Meld syg i dag" not in card and "Registrer ferie" not in card
    assert client.post(reverse("presence:report_sick", args=[emil.id]), {"syg": "1"}).status_code == 404
    assert client.get(reverse("presence:vacation", args=[emil.id])).status_code == 404


# --- Administrators ----------------------------------------------------------------------------------------


def test_anders_sets_opening_hours_closed_days_places_and_settings(client):
    institution_id = child("Emil").institution_id
    sign_in(client, "anders")
    url = reverse("presence:setup", args=[institution_id])
    assert client.get(url).status_code == 200
    hours = {f"hours-opens_{d}": "06:30" for d in range(5)} | {f"hours-closes_{d}": "17:00" for d in range(5)}
    assert client.post(url, {"section": "hours", **hours}).status_code == 302
    assert OpeningHours.objects.filter(institution_id=institution_id).count() == 5

    start = timezone.localdate() + timedelta(days=20)
    special = {"section": "special", "special-start_date": start.isoformat(), "special-closed": "1"}
    special["special-end_date"] = (start + timedelta(days=2)).isoformat()
    special["special-name"] = "Lukkeuge"
    assert client.post(url, special).status_code == 302
    assert SpecialDay.objects.filter(institution_id=institution_id, closed=True).count() == 3

    assert client.post(url, {"section": "location", "location-name": "Legepladsen"}).status_code == 302
    location = Location.objects.get(institution_id=institution_id)
    settings = {"section": "settings", "settings-guardians_pickup": "on", "settings-show_sleep": "on"}
    assert client.post(url, settings).status_code == 302
    stored = PresenceSettings.objects.get(institution_id=institution_id)
    assert stored.guardians_pickup and not stored.guardians_report_sick
    html = html_of(client.get(url))
    assert "Lukkeuge" in html and "Legepladsen" in html and 'value="06:30"' in html
    assert AuditEntry.objects.filter(action__startswith="presence_", object_id=str(institution_id)).count() == 4

    assert client.post(reverse("presence:remove_location", args=[institution_id, location.id])).status_code == 302
    day = SpecialDay.objects.filter(institution_id=institution_id).first()
    assert client.post(reverse("presence:delete_special_day", args=[institution_id, day.id])).status_code == 302
    assert not Location.objects.exists() and SpecialDay.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"section": "hours", "hours-opens_0": "17:00", "hours-closes_0": "07:00"}, "closes_0"),
        ({"section": "hours", "hours-opens_1": "07:00"}, "closes_1"),
        ({"section": "special", "special-start_date": "2001-01-01", "special-closed": "1"}, "start_date"),
        ({"section": "special", "special-start_date": "2099-01-05", "special-closed": "0"}, "opens"),
        ({"section": "location", "location-name": ""}, "name"),
    ],
)
def test_bad_setup_input_answers_400_and_stores_nothing(client, data, field):
    institution_id = child("Emil").institution_id
    sign_in(client, "anders")
    response = client.post(reverse("presence:setup", args=[institution_id]), data)
    assert response.status_code == 400
    section = data["section"]
    assert response.context["forms"][section].errors.get(field)
    assert not OpeningHours.objects.exists() and not SpecialDay.objects.exists() and not Location.objects.exists()


def test_duplicate_place_is_refused(client):
    institution_id = child("Emil").institution_id
    Location.objects.create(institution_id=institution_id, name="Skoven")
    sign_in(client, "anders")
    response = client.post(
        reverse("presence:setup", args=[institution_id]), {"section": "location", "location-name": "skoven"}
    )
    assert response.status_code == 400 and "allerede et sted" in html_of(response)


@pytest.mark.parametrize("username", ["karin", "mette", "ole", "hanne"])
def test_setup_and_screens_are_404_for_others(client, username):
    institution_id = child("Emil").institution_id
    sign_in(client, username)
    assert client.get(reverse("presence:setup", args=[institution_id])).status_code == 404
    assert client.get(reverse("presence:kiosks", args=[institution_id])).status_code == 404
    response = client.post(
        reverse("presence:setup", args=[institution_id]), {"section": "location", "location-name": "X"}
    )
    assert response.status_code == 404
    assert client.post(reverse("presence:kiosks", args=[institution_id]), {"name": "Entré"}).status_code == 404
    assert not Location.objects.exists() and not KioskDevice.objects.exists()


def test_thomas_configures_but_reads_no_day(client):
    emil = child("Emil")
    sign_in(client, "thomas")
    assert client.get(reverse("presence:setup", args=[emil.institution_id])).status_code == 200
    assert client.get(staff_url(emil)).status_code == 404
    assert client.get(reverse("presence:child_day", args=[emil.id])).status_code == 404


# --- Kiosk screen ------------------------------------------------------------------------------------------


def create_screen(client: Client, institution_id: int, **extra: object) -> str:
    sign_in(client, "anders")
    response = client.post(reverse("presence:kiosks", args=[institution_id]), {"name": "Entré", **extra})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.context["code"]


def test_kiosk_pairs_checks_a_child_in_and_out_and_stops_when_revoked(client):
    emil = child("Emil")
    PresenceTemplate.objects.create(
        child=emil, by_date=timezone.localdate(), exit_time=time(15), exit_with="Mormor Inge"
    )
    code = create_screen(client, emil.institution_id)
    screen = Client()
    home = reverse("presence:kiosk")
    page = screen.get(home)
    assert page.status_code == 200 and 'name="code"' in html_of(page)

    assert screen.post(home, {"code": "1"}).status_code == 400
    response = screen.post(home, {"code": f"{code[:4]} {code[4:]}"})
    assert response.status_code == 302
    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and int(cookie["max-age"]) > 86400 * 300
    assert not cookie["secure"]  # plain http in tests; https sets it

    html = html_of(screen.get(home))
    assert "Emil Hansen" in html and '<span class="initials" aria-hidden="true">EH</span>' in html
    child_url = reverse("presence:kiosk_child", args=[emil.id])
    assert "Tjek Emil Hansen ind?" in html_of(screen.get(child_url))
    assert screen.post(child_url, {"handling": "ind"}).status_code == 302
    confirm = html_of(screen.get(child_url))
    assert "Tjek Emil Hansen ud?" in confirm and "Hentes af Mormor Inge" in confirm
    assert screen.post(child_url, {"handling": "ud"}).status_code == 302
    device = KioskDevice.objects.get(name="Entré")
    events = PresenceEvent.objects.filter(day__child=emil).order_by("id")
    assert [(e.action, e.device_id, e.actor_id) for e in events] == [
        ("check_in", device.id, None),
        ("check_out", device.id, None),
    ]
    assert events[1].detail == "Mormor Inge"

    assert client.post(reverse("presence:revoke_kiosk", args=[emil.institution_id, device.id])).status_code == 302
    page = screen.get(home)
    assert 'name="code"' in html_of(page) and page.cookies[KIOSK_COOKIE].value == ""
    assert screen.post(child_url, {"handling": "ind"}).status_code == 302
    assert PresenceEvent.objects.filter(day__child=emil).count() == 2


def test_kiosk_shows_nothing_sensitive_and_aliases_protected_children(client):
    noah, ida = child("Noah"), child("Ida")
    code = create_screen(client, noah.institution_id)
    actions.check_in(viewer("anders"), noah.id)
    actions.set_comment(viewer("anders"), noah.id, "Slog sit knæ")
    actions.report_sick(viewer("sara", "guardian"), ida.id)
    PresenceTemplate.objects.create(
        child=ida, by_date=timezone.localdate(), exit_time=time(15), exit_with="Sara Kristensen"
    )
    screen = Client()
    screen.post(reverse("presence:kiosk"), {"code": code})
    html = html_of(screen.get(reverse("presence:kiosk")))
    assert "Noah Berg" in html and "Lærke B." in html
    for secret in ("Ida Kristensen", "Slog sit knæ", "Syg", "Sara"):
        assert secret not in html, secret
    assert "Ikke her i dag" in html
    confirm = html_of(screen.get(reverse("presence:kiosk_child", args=[ida.id])))
    assert "Sara" not in confirm and "Ida" not in confirm
    assert "Slog sit knæ" not in html_of(screen.get(reverse("presence:kiosk_child", args=[noah.id])))


def test_kiosk_only_handles_its_own_groups_and_institution(client):
    emil, noah = child("Emil"), child("Noah")
    green = Group.objects.get(name="Grøn stue")
    code = create_screen(client, emil.institution_id, groups=[str(green.id)])
    screen = Client()
    screen.post(reverse("presence:kiosk"), {"code": code})
    assert "Emil Hansen" not in html_of(screen.get(reverse("presence:kiosk")))
    for profile in (emil, noah):
        url = reverse("presence:kiosk_child", args=[profile.id])
        assert screen.get(url).status_code == 404
        assert screen.post(url, {"handling": "ind"}).status_code == 404
    assert not PresenceDay.objects.exists()


def test_kiosk_post_needs_a_csrf_token(client):
    emil = child("Emil")
    code = create_screen(client, emil.institution_id)
    screen = Client(enforce_csrf_checks=True)
    assert screen.post(reverse("presence:kiosk"), {"code": code}).status_code == 403
    assert not KioskDevice.objects.filter(paired_at__isnull=False).exists()


def test_kiosk_pairing_is_throttled(client, settings):
    settings.LOGIN_FAILURE_ADDRESS_LIMIT = 3
    settings.LOGIN_FAILURE_LIMIT = 3
    emil = child("Emil")
    code = create_screen(client, emil.institution_id)
    screen = Client()
    for _ in range(3):
        assert screen.post(reverse("presence:kiosk"), {"code": "99999999"}).status_code == 400
    assert screen.post(reverse("presence:kiosk"), {"code": code}).status_code == 400
    assert not KioskDevice.objects.filter(paired_at__isnull=False).exists()


def test_kiosk_screen_list_shows_groups_and_state(client):
    emil = child("Emil")
    blue = Group.objects.get(name="Blå stue")
    create_screen(client, emil.institution_id, groups=[str(blue.id)])
    html = html_of(client.get(reverse("presence:kiosks", args=[emil.institution_id])))
    assert "Entré" in html and "Blå stue" in html and "Venter på at blive forbundet" in html
    response = client.post(reverse("presence:kiosks", args=[emil.institution_id]), {"name": "  "})
    assert response.status_code == 400 and response.context["form"].errors["name"]


def test_a_check_in_posted_to_another_institution_answers_404_and_changes_nothing(client):
    emil = child("Emil")
    sign_in(client, "karin")
    for code in ("G10002", "280101"):  # another daycare; a school (no komme/gå there)
        url = reverse("presence:staff_action", args=[Institution.objects.get(code=code).id])
        assert client.post(url, {"quick": f"check_in:{emil.id}"}).status_code == 404
    assert (
        client.post(reverse("presence:staff_action", args=[10**9]), {"quick": f"check_in:{emil.id}"}).status_code == 404
    )
    assert not PresenceDay.objects.filter(child=emil).exists()


def test_a_rows_button_answers_in_place_with_the_rows_new_state(client):
    """The day view's script asks for JSON: no redirect, no list loaded again, no flash message kept."""
    emil = child("Emil")
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    as_json = {"accept": "application/json"}
    client.get(staff_url(emil))  # the phone has the day view open
    # The signed-in session and Viewer (8; cached between requests in production), then the child, its
    # groups and the day's hours in one statement, and the day and its event in one more (PostgreSQL; a
    # transaction of two on SQLite).
    with assert_max_queries(13):
        response = client.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json)
    assert response.status_code == 200 and "messages" not in response.cookies
    answer = response.json()
    assert answer["message"] == "1 barn tjekket ind." and answer["problems"] == []
    [row] = answer["children"]
    day = PresenceDay.objects.get(child=emil)
    assert day.status == Status.PRESENT and day.checked_in_by.first_name == "Karin"
    assert row["id"] == emil.id and row["status"] == Status.PRESENT and row["count"] == "present"
    assert row["statusClass"] == "here" and row["next"] == {"action": "check_out", "label": "Tjek ud"}
    assert "Kommet" in row["pill"] and timezone.localtime(day.check_in_at).strftime("%H:%M") in row["pill"]

    # A second tap (another phone, the same moment) changes nothing and writes no second event.
    again = client.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json).json()
    assert again["children"][0]["status"] == Status.PRESENT
    assert PresenceEvent.objects.filter(day__child=emil, action="check_in").count() == 1

    out = client.post(url, {"quick": f"check_out:{emil.id}"}, headers=as_json).json()
    assert out["message"] == "1 barn tjekket ud."
    assert out["children"][0]["count"] == "checked_out" and out["children"][0]["next"]["action"] == "check_in"
    assert PresenceDay.objects.get(child=emil).status == Status.CHECKED_OUT


def test_a_rows_badge_speaks_the_language_of_each_person_in_turn(client):
    """The badge's label is kept per status and language in the process: Danish, then English, then Danish
    again, each with the time of the tap."""
    emil = child("Emil")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    as_json = {"accept": "application/json"}
    sign_in(client, "karin")
    english = Client()
    sign_in(english, "karin")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    [danish] = client.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json).json()["children"]
    [gone] = english.post(url, {"quick": f"check_out:{emil.id}"}, headers=as_json).json()["children"]
    out_at = timezone.localtime(PresenceDay.objects.get(child=emil).check_out_at).strftime("%H:%M")
    [back] = english.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json).json()["children"]
    [again] = client.post(url, {"quick": f"check_out:{emil.id}"}, headers=as_json).json()["children"]
    assert gone["pill"] == f'<span class="pill status-gone">Gone home {out_at}</span>'
    assert danish["pill"].startswith('<span class="pill status-here">Kommet ')
    assert back["pill"].startswith('<span class="pill status-here">Present ')
    assert again["pill"].startswith('<span class="pill status-gone">Gået ')


def test_an_in_place_answer_explains_a_refusal_and_changes_nothing(client):
    emil = child("Emil")
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    as_json = {"accept": "application/json"}
    response = client.post(url, {"quick": f"check_out:{emil.id}"}, headers=as_json)
    assert response.status_code == 400
    assert response.json() == {"problems": ["Emil Hansen: Barnet er ikke tjekket ind i dag."]}
    assert not PresenceDay.objects.filter(child=emil).exists()

    actions.set_status(viewer("karin"), [emil.id], Status.SICK)
    response = client.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json)
    assert response.status_code == 400 and "syg" in response.json()["problems"][0]
    assert PresenceDay.objects.get(child=emil).status == Status.SICK
    assert not PresenceEvent.objects.filter(day__child=emil, action="check_in").exists()

    # Another institution's child is not there at all: 404, as for the form (the script then posts the form).
    other = InstitutionProfile.objects.filter(role="child").exclude(institution_id=emil.institution_id).first()
    assert other is not None
    response = client.post(url, {"quick": f"check_in:{other.id}"}, headers=as_json)
    assert response.status_code == 404 and not PresenceDay.objects.filter(child=other).exists()


def test_the_guardians_page_reads_today_and_the_week_in_a_fixed_number_of_queries(client):
    emil = child("Emil")
    actions.check_in(viewer("karin"), emil.id)
    sign_in(client, "mette", role="guardian")
    client.get(reverse("presence:index"))
    # Session and Viewer (11 for a guardian; cached between requests in production); the children with their
    # institutions' settings and their groups (1 statement); planned times and vacations for today and the
    # week together (2); today's days; opening hours; the unread badge.
    with assert_max_queries(17):
        html = html_of(client.get(reverse("presence:index")))
    assert "Emil Hansen" in html and "Sofie Hansen" in html
    assert "Kommet" in section_of(html, "Emil Hansen") and "Blå stue" in section_of(html, "Emil Hansen")


def test_the_guardians_week_shows_closed_days_from_special_days_and_weekly_hours(client):
    """A closed day and a weekday without opening hours read "Lukket"; a special day with hours does not."""
    emil = child("Emil")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=14)  # a week ahead: every day editable
    OpeningHours.objects.filter(institution_id=emil.institution_id).delete()
    for weekday in range(4):  # Monday to Thursday; no hours on Friday
        OpeningHours.objects.create(
            institution_id=emil.institution_id, weekday=weekday, opens=time(6, 30), closes=time(17, 0)
        )
    SpecialDay.objects.create(institution_id=emil.institution_id, date=monday + timedelta(days=2), closed=True)
    SpecialDay.objects.create(
        institution_id=emil.institution_id,
        date=monday + timedelta(days=1),
        closed=False,
        opens=time(8, 0),
        closes=time(12, 0),
    )
    sign_in(client, "mette", role="guardian")
    card = section_of(html_of(client.get(reverse("presence:index"), {"uge": monday.isoformat()})), "Emil Hansen")
    days = card.split('class="week-day')[1:]
    assert len(days) == 5
    assert ["Lukket" in d for d in days] == [False, False, True, False, True]


def test_where_staff_are_scoped_to_their_groups_a_check_in_outside_them_answers_404(client):
    """Institutions may scope komme/gå to the staff's own groups; leaders keep the whole institution."""
    emil = child("Emil")
    other_room = (
        InstitutionProfile.objects.filter(institution_id=emil.institution_id, role="child", is_active=True)
        .exclude(memberships__group__name="Blå stue")
        .first()
    )
    assert other_room is not None
    url = reverse("presence:staff_action", args=[emil.institution_id])
    as_json = {"accept": "application/json"}
    Institution.objects.filter(pk=emil.institution_id).update(presence_scoped_to_groups=True)

    sign_in(client, "karin")
    assert client.post(url, {"quick": f"check_in:{other_room.id}"}, headers=as_json).status_code == 404
    assert client.post(url, {"quick": f"check_in:{other_room.id}"}).status_code == 404
    assert not PresenceDay.objects.filter(child=other_room).exists()
    assert client.post(url, {"quick": f"check_in:{emil.id}"}, headers=as_json).status_code == 200

    leader = Client()
    sign_in(leader, "anders")
    assert leader.post(url, {"quick": f"check_in:{other_room.id}"}, headers=as_json).status_code == 200

    Institution.objects.filter(pk=emil.institution_id).update(presence_scoped_to_groups=False)
    client.post(url, {"quick": f"check_out:{other_room.id}"}, headers=as_json)
    assert PresenceDay.objects.get(child=other_room).status == Status.CHECKED_OUT


def test_checking_out_a_sleeping_child_ends_the_sleep_in_the_same_write(client):
    emil = child("Emil")
    karin = viewer("karin")
    actions.check_in(karin, emil.id)
    actions.start_sleep(karin, emil.id)
    sign_in(client, "karin")
    url = reverse("presence:staff_action", args=[emil.institution_id])
    answer = client.post(url, {"quick": f"check_out:{emil.id}"}, headers={"accept": "application/json"}).json()
    assert answer["children"][0]["status"] == Status.CHECKED_OUT
    day = PresenceDay.objects.get(child=emil)
    [sleep] = day.sleep_intervals.all()
    assert sleep.end is not None and sleep.end == day.check_out_at
    assert list(day.events.values_list("action", flat=True).order_by("id")) == ["check_in", "sleep_start", "check_out"]

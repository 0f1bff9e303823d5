"""Editing and deleting events through HTTP; invitations follow the groups and answers are kept; individual
invitations of colleagues and children; the invitee limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kinabog.audit.models import AuditEntry
from kinabog.calendar import actions
from kinabog.calendar.models import Event, EventException, Invitation, Response
from kinabog.core.testing import assert_max_queries
from kinabog.institutions.models import Group, InstitutionProfile, Person

from .conftest import viewer
from .test_series import blaa, first_tuesday, series_form, signed_in, swimming

pytestmark = pytest.mark.django_db


def staff_group() -> Group:
    return Group.objects.get(name="Personale Katamaranen")


def emil() -> Person:
    return Person.objects.get(first_name="Emil")


def anders_at_katamaranen() -> InstitutionProfile:
    return InstitutionProfile.objects.get(person__login__username="anders", institution__code="G10001")


def edit_form(event: Event, **changes: object) -> dict[str, object]:
    first = timezone.localtime(event.starts_at).date()
    data = series_form(first, title=event.title, response_required="on")
    data.update(changes)
    return data


def test_karin_edits_the_series_and_invitations_follow_the_groups() -> None:
    first = first_tuesday()
    event = swimming(first, response_required=True)
    emils = Invitation.objects.get(event=event, profile__person=emil())
    actions.answer(viewer("mette", "guardian"), event.id, emils.id, Response.ACCEPTED)
    last = first + timedelta(weeks=3)
    EventException.objects.create(event=event, occurrence_date=last, cancelled=True)

    karin = signed_in("karin", "employee")
    url = reverse("calendar:edit_event", args=[event.id])
    karin.get(url)
    with assert_max_queries(18):
        page = karin.get(url).content.decode()
    assert 'value="Svømning"' in page and "Gentagelse" in page
    response = karin.post(
        url,
        edit_form(
            event,
            title="Svømning og leg",
            group=[blaa().id, staff_group().id],
            repeat_until=(first + timedelta(weeks=2)).isoformat(),
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Svømning og leg" and event.repeat_until == first + timedelta(weeks=2)
    emils.refresh_from_db()
    assert emils.response == Response.ACCEPTED  # still invited: the answer is kept
    assert Invitation.objects.filter(event=event, profile=anders_at_katamaranen()).exists()
    assert not EventException.objects.filter(event=event).exists()  # the date is no longer in the series
    assert AuditEntry.objects.filter(action="update_event", object_id=str(event.id)).exists()

    karin.post(url, edit_form(event, group=[staff_group().id]))
    assert not Invitation.objects.filter(event=event, profile__person=emil()).exists()
    assert Invitation.objects.filter(event=event, profile=anders_at_katamaranen()).exists()


def test_bad_input_on_the_edit_page_changes_nothing() -> None:
    event = swimming(first_tuesday())
    karin = signed_in("karin", "employee")
    url = reverse("calendar:edit_event", args=[event.id])
    first = timezone.localtime(event.starts_at).date()
    for changes in [
        {"ends_at": f"{first}T16:00"},
        {"title": ""},
        {"repeat_weekdays": []},
        {"group": [], "invitee": []},
        {"group": [Group.objects.get(name="3.B").id]},
    ]:
        response = karin.post(url, edit_form(event, **{"title": "Ændret", **changes}))
        assert response.status_code == 400
        assert "Intet er gemt" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Svømning"


def test_a_single_event_becomes_a_series_and_back() -> None:
    first = first_tuesday()
    event = swimming(first, repeat="never", repeat_weekdays=(), repeat_until=None)
    karin = signed_in("karin", "employee")
    url = reverse("calendar:edit_event", args=[event.id])
    assert karin.post(url, edit_form(event, response_required="")).status_code == 302
    event.refresh_from_db()
    assert event.repeat == "weekly"
    EventException.objects.create(event=event, occurrence_date=first + timedelta(weeks=1), cancelled=True)
    assert karin.post(url, edit_form(event, repeat="never")).status_code == 302
    event.refresh_from_db()
    assert event.repeat == "never" and event.repeat_until is None
    assert not EventException.objects.filter(event=event).exists()


def test_karin_deletes_a_series_after_confirming() -> None:
    event = swimming(first_tuesday(), response_required=True)
    karin = signed_in("karin", "employee")
    url = reverse("calendar:delete_event", args=[event.id])
    assert "Slet begivenhed" in karin.get(url).content.decode()
    assert Event.objects.filter(pk=event.id).exists()
    assert karin.post(url).status_code == 302
    assert not Event.objects.filter(pk=event.id).exists()
    assert not Invitation.objects.filter(event_id=event.id).exists()
    assert AuditEntry.objects.filter(action="delete_event", object_id=str(event.id)).exists()


@override_settings(KINABOG_CALENDAR_MAX_INVITEES=3)
def test_more_invitees_than_the_limit_are_refused() -> None:
    karin = signed_in("karin", "employee")
    response = karin.post(reverse("calendar:create_event"), series_form(first_tuesday(), response_required="on"))
    assert response.status_code == 400
    assert "højst invitere 3 personer" in response.content.decode()
    assert not Event.objects.filter(title="Svømning").exists()
    assert not Invitation.objects.exists() or not Invitation.objects.filter(event__title="Svømning").exists()


def test_karin_finds_a_colleague_and_invites_her_individually() -> None:
    karin = signed_in("karin", "employee")
    url = reverse("calendar:create_event")
    form = series_form(first_tuesday(), title="Planlægning", group=[], repeat="never")
    karin.get(url)
    with assert_max_queries(12):
        found = karin.post(url, {**form, "action": "search", "q": "Anders"})
    page = found.content.decode()
    assert found.status_code == 200 and "Intet er gemt" not in page
    anders = anders_at_katamaranen()
    assert "Anders Holm" in page and f'name="invitee" value="{anders.id}"' in page
    assert 'value="Planlægning"' in page  # what was typed is kept while searching

    response = karin.post(url, {**form, "invitee": [str(anders.id)]})
    assert response.status_code == 302
    event = Event.objects.get(title="Planlægning")
    assert list(Invitation.objects.filter(event=event).values_list("profile_id", flat=True)) == [anders.id]
    # The edit page shows him as invited on his own.
    edit = karin.get(reverse("calendar:edit_event", args=[event.id])).content.decode()
    assert f'name="invitee" value="{anders.id}" id="invitee-{anders.id}" checked' in edit


def test_people_of_other_institutions_cannot_be_invited() -> None:
    karin = signed_in("karin", "employee")
    sofie = InstitutionProfile.objects.get(person__first_name="Sofie", role="pupil")
    response = karin.post(
        reverse("calendar:create_event"), series_form(first_tuesday(), invitee=[str(sofie.id)], repeat="never")
    )
    assert response.status_code == 400
    assert "Du kan ikke invitere en af de valgte personer." in response.content.decode()
    assert not Event.objects.filter(title="Svømning").exists()
    found = karin.post(
        reverse("calendar:create_event"), {**series_form(first_tuesday()), "action": "search", "q": "Sofie"}
    )
    assert 'name="invitee"' not in found.content.decode()


def test_a_protected_child_is_found_by_alias_only() -> None:
    mads = Person.objects.get(first_name="Mads", last_name="Winther")
    mads.login = get_user_model().objects.create_user(username="mads", password="demo")
    mads.save(update_fields=["login"])
    client = signed_in("mads", "employee")
    url = reverse("calendar:create_event")

    def search(who: Client, text: str) -> str:
        return who.post(url, {"title": "Tur", "action": "search", "q": text}).content.decode()

    by_name = search(client, "Ida")
    assert "Lærke B." not in by_name and "Kristensen" not in by_name
    assert "Lærke B." not in search(client, "Lærke Kristensen")
    by_alias = search(client, "Lærke")
    assert "Lærke B." in by_alias and "Ida Kristensen" not in by_alias
    # Anders leads Kahytten and may see protected names.
    assert "Ida Kristensen" in search(signed_in("anders", "employee"), "Ida")

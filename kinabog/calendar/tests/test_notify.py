"""Calendar notifications through HTTP: invitations naming the child, samtaler, bookings, changes,
instant e-mail by setting, reminders sent once, staff reminding those who have not answered, blocked times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinabog.calendar import actions, notify, occurrence_actions, reminders
from kinabog.calendar.models import Booking, Event, Invitation, ReminderSent, Repeat, Response, TimeSlot
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, Person
from kinabog.notifications import actions as notification_actions
from kinabog.notifications import tasks as notification_tasks
from kinabog.notifications.models import Notification

from .conftest import group_3b, local, sofie, viewer

pytestmark = pytest.mark.django_db


def blaa() -> Group:
    return Group.objects.get(name="Blå stue")


def notes(username: str, event: Event | None = None) -> list[Notification]:
    rows = Notification.objects.filter(person__login__username=username, area="Calendar")
    if event is not None:
        rows = rows.filter(dedupe_key__startswith=f"calendar:{event.id}:")
    return list(rows.order_by("id"))


def blaa_parent_with_login() -> tuple[Person, str]:
    """A guardian of another child in Blå stue, given a login: a second family."""
    child = (
        Person.objects.filter(profiles__memberships__group=blaa(), profiles__role="child")
        .exclude(first_name="Emil")
        .order_by("id")
        .first()
    )
    assert child is not None
    relation = child.guardian_relations.select_related("guardian").first()
    assert relation is not None
    user = get_user_model().objects.create_user(username="blaa-forælder", password="demo")
    relation.guardian.login = user
    relation.guardian.save(update_fields=["login"])
    return child, "blaa-forælder"


def event_form(group: Group, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Sommerfest",
        "type": "event",
        "group": group.id,
        "starts_at": local(3, 15).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(3, 18).strftime("%Y-%m-%dT%H:%M"),
        "place": "Legepladsen",
        "description": "<p>Tag kage med</p>",
        "response_required": "on",
        "repeat": "never",
        "repeat_interval": "1",
    }
    data.update(changes)
    return data


def create_by_form(client: Client, username: str, group: Group, captured: Any, **changes: object) -> Event:
    sign_in(client, username, role="employee")
    with captured(execute=True):
        response = client.post(reverse("calendar:create_event"), event_form(group, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Event.objects.get(title=changes.get("title", "Sommerfest"))


# --- Invited ---------------------------------------------------------------------------------------------


def test_karin_invites_blaa_stue_and_its_guardians_hear_of_it_naming_the_child(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    other_child, other_parent = blaa_parent_with_login()
    event = create_by_form(client, "karin", blaa(), django_capture_on_commit_callbacks)

    [mette] = notes("mette", event)
    assert mette.event_type == "InvitedToEventResponseRequired" and mette.title.startswith("Sommerfest (Emil) · ")
    assert mette.url == reverse("calendar:event", args=[event.id])
    assert mette.profile is not None and mette.profile.institution_id == event.institution_id
    assert [n.title for n in notes("jonas", event)] == [mette.title]  # the other custody parent
    [other] = notes(other_parent, event)
    assert f"({other_child.first_name})" in other.title
    assert notes("peter", event) == [] and notes("karin", event) == []  # no relation; the creator
    for secret in ("Legepladsen", "kage"):
        assert secret not in mette.title

    page = Client()
    sign_in(page, "mette", role="guardian")
    html = page.get(reverse("notifications:list")).content.decode()
    assert "Invitation, svar venligst: Sommerfest (Emil)" in html

    # Run again (a retried task): nobody hears twice; the fan-out is one statement however many it reaches.
    with assert_max_queries(2):
        assert notify.invited(event.id) == 0


def test_a_guardian_without_custody_hears_nothing_of_his_childs_class(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = create_by_form(client, "birgitte", group_3b(), django_capture_on_commit_callbacks, title="Tur i skoven")
    assert [n.title.split(" · ")[0] for n in notes("mette", event)] == ["Tur i skoven (Sofie)"]
    assert notes("peter", event) == []


def test_an_event_without_answers_and_a_series_have_their_own_kinds(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = create_by_form(
        client, "karin", blaa(), django_capture_on_commit_callbacks, title="Bål", response_required=""
    )
    assert [n.event_type for n in notes("mette", event)] == ["InvitedToEventNoResponseRequired"]
    with django_capture_on_commit_callbacks(execute=True):
        series = actions.create_event(
            viewer("karin"),
            actions.EventInput(
                title="Sang",
                starts_at=local(1, 9),
                ends_at=local(1, 10),
                group_ids=(blaa().id,),
                repeat=Repeat.WEEKLY,
                repeat_weekdays=(local(1, 9).weekday(),),
                repeat_until=timezone.localdate() + timedelta(days=30),
            ),
        )
    assert [n.event_type for n in notes("mette", series)] == ["InvitedToRepeatingEvent"]


def test_email_follows_each_persons_setting_and_carries_only_title_and_time(
    client: Client, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    notification_actions.set_delivery(viewer("mette", "guardian"), {"Calendar": "instant"})
    notification_actions.set_delivery(viewer("jonas", "guardian"), {"Calendar": "off"})
    event = create_by_form(client, "karin", blaa(), django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == ["mette@example.org"] and "Sommerfest (Emil)" in mail.body
    assert timezone.localtime(event.starts_at).strftime("%d.%m.%Y %H:%M") in mail.body
    for secret in ("Legepladsen", "kage", "Karin"):
        assert secret not in mail.body and secret not in mail.subject
    digests = notification_tasks.send_daily_digests()
    assert "mette@example.org" not in [m.to[0] for m in mailoutbox[1:]]  # already e-mailed
    assert "jonas@example.org" not in [m.to[0] for m in mailoutbox[1:]]  # only in Kinabog
    assert digests == len(mailoutbox) - 1


def test_a_published_samtale_tells_the_guardians_and_nobody_else(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, "birgitte", role="employee")
    day = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("calendar:create_conference"),
            {
                "title": "Skole-hjem-samtaler 3.B",
                "group": group_3b().id,
                "day": day.isoformat(),
                "first_start": "14:00",
                "last_end": "15:00",
                "slot_minutes": "20",
                "booking_deadline": f"{(day - timedelta(days=2)).isoformat()}T12:00",
            },
        )
    event = Event.objects.get(title="Skole-hjem-samtaler 3.B")
    [mette] = notes("mette", event)
    assert mette.event_type == "InvitedToSchoolHomeMeeting" and "(Sofie)" in mette.title
    assert mette.url == reverse("calendar:book", args=[event.id])
    assert notes("peter", event) == [] and notes("birgitte", event) == []
    assert not Notification.objects.filter(dedupe_key=f"calendar:{event.id}:invited").exists()  # no pupils


# --- Bookings ---------------------------------------------------------------------------------------------


def test_bookings_by_a_family_tell_the_creator_and_by_staff_both_parents(
    client: Client, conference: Event, django_capture_on_commit_callbacks: Any
) -> None:
    first, second, third = TimeSlot.objects.filter(event=conference).order_by("starts_at")[:3]
    sign_in(client, "mette", role="guardian")
    book_url = reverse("calendar:book", args=[conference.id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(book_url, {"child": sofie().id, "slot": first.id, "action": "book"})
        client.post(book_url, {"child": sofie().id, "slot": second.id, "action": "book"})  # moved
        client.post(book_url, {"child": sofie().id, "action": "cancel"})
    kinds = [(n.event_type, n.title.rsplit(" · ", 1)[-1]) for n in notes("birgitte", conference)]
    assert kinds == [
        ("SomeoneElseRespondedToEvent", timezone.localtime(first.starts_at).strftime("%d.%m.%Y %H:%M")),
        ("SomeoneElseRespondedToEvent", timezone.localtime(second.starts_at).strftime("%d.%m.%Y %H:%M")),
        ("SomeoneElseRemovedYourResponseToEvent", timezone.localtime(second.starts_at).strftime("%d.%m.%Y %H:%M")),
    ]
    assert "Sofie Hansen" in notes("birgitte", conference)[0].title
    assert notes("mette", conference) == [] and notes("jonas", conference) == []

    staff = Client()
    sign_in(staff, "birgitte", role="employee")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("calendar:slots", args=[conference.id]), {"child": sofie().id, "slot": third.id})
    assert Booking.objects.get(event=conference, child=sofie()).slot_id == third.id
    for parent in ("mette", "jonas"):
        [note] = notes(parent, conference)
        assert note.event_type == "SomeoneElseRespondedToEvent" and "(Sofie)" in note.title
    assert notes("peter", conference) == []
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("calendar:slots", args=[conference.id]), {"child": sofie().id, "action": "cancel"})
    assert [n.event_type for n in notes("jonas", conference)][-1] == "SomeoneElseRemovedYourResponseToEvent"


def test_a_blocked_time_is_not_offered_and_cannot_be_booked(client: Client, conference: Event) -> None:
    first, second = TimeSlot.objects.filter(event=conference).order_by("starts_at")[:2]
    staff = Client()
    sign_in(staff, "birgitte", role="employee")
    slots_url = reverse("calendar:slots", args=[conference.id])
    assert staff.post(slots_url, {"slot": first.id, "action": "block"}).status_code == 302
    first.refresh_from_db()
    assert first.blocked
    page = staff.get(slots_url).content.decode()
    assert "Blokeret" in page and "Frigiv" in page

    sign_in(client, "mette", role="guardian")
    book_url = reverse("calendar:book", args=[conference.id])
    assert f'value="{first.id}"' not in client.get(book_url).content.decode()
    response = client.post(book_url, {"child": sofie().id, "slot": first.id, "action": "book"}, follow=True)
    assert "ikke" in response.content.decode() and not Booking.objects.filter(event=conference).exists()
    assert client.post(slots_url, {"slot": first.id, "action": "unblock"}).status_code == 404  # staff only

    client.post(book_url, {"child": sofie().id, "slot": second.id, "action": "book"})
    staff.post(slots_url, {"slot": second.id, "action": "block"})
    second.refresh_from_db()
    assert not second.blocked  # a booked time is not blocked
    staff.post(slots_url, {"slot": first.id, "action": "unblock"})
    first.refresh_from_db()
    assert not first.blocked
    assert f'value="{first.id}"' in client.get(book_url).content.decode()


# --- Changed and cancelled --------------------------------------------------------------------------------


def test_a_change_tells_those_invited_and_a_deletion_everyone(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = create_by_form(client, "karin", blaa(), django_capture_on_commit_callbacks)
    karin = viewer("karin")
    change = actions.EventInput(
        title="Sommerfest",
        starts_at=local(4, 15),
        ends_at=local(4, 18),
        group_ids=(blaa().id,),
        response_required=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_event(karin, event.id, change)
    kinds = [n.event_type for n in notes("mette", event)]
    assert kinds == ["InvitedToEventResponseRequired", "EventChangedResponseRequired"]
    assert timezone.localtime(local(4, 15)).strftime("%d.%m.%Y %H:%M") in notes("mette", event)[-1].title
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_event(karin, event.id)
    cancelled = Notification.objects.filter(person__login__username="jonas", event_type="EventCancelledNoReason")
    assert [n.title.split(" · ")[0] for n in cancelled] == ["Sommerfest (Emil)"]


# --- Reminders --------------------------------------------------------------------------------------------


def test_the_form_offers_a_reminder_and_refuses_an_unknown_one(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = create_by_form(client, "karin", blaa(), django_capture_on_commit_callbacks, reminder_minutes="1440")
    assert event.reminder_minutes == 24 * 60
    page = client.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "1 dag før" in page
    response = client.post(reverse("calendar:create_event"), event_form(blaa(), title="Andet", reminder_minutes="7"))
    assert response.status_code == 400 and not Event.objects.filter(title="Andet").exists()
    form = client.get(reverse("calendar:create_event")).content.decode()
    assert 'for="id_reminder_minutes"' in form and "2 dage før" in form


def test_a_reminder_is_written_once_even_when_the_sender_runs_twice() -> None:
    now = timezone.now()
    event = actions.create_event(
        viewer("karin"),
        actions.EventInput(
            title="Forældrekaffe",
            starts_at=now + timedelta(minutes=30),
            ends_at=now + timedelta(minutes=90),
            group_ids=(blaa().id,),
            response_required=True,
            reminder_minutes=60,
        ),
    )
    later = actions.create_event(
        viewer("karin"),
        actions.EventInput(
            title="Senere",
            starts_at=now + timedelta(hours=3),
            ends_at=now + timedelta(hours=4),
            group_ids=(blaa().id,),
            reminder_minutes=60,
        ),
    )
    emil = Invitation.objects.get(event=event, profile__person__first_name="Emil")
    declined = Invitation.objects.filter(event=event).exclude(pk=emil.pk).filter(profile__role="child").first()
    assert declined is not None
    Invitation.objects.filter(pk=declined.pk).update(response=Response.DECLINED)

    written = reminders.send_due_reminders(now)
    assert written > 0
    assert reminders.send_due_reminders(now) == 0
    call_command("send_calendar_reminders", verbosity=0)
    assert ReminderSent.objects.filter(event=event).count() == 1
    assert not ReminderSent.objects.filter(event=later).exists()  # not due yet
    [mette] = [n for n in notes("mette", event) if n.event_type == "EventReminder"]
    assert mette.title.startswith("Forældrekaffe (Emil) · ")
    assert notes("karin", event)  # staff of the group are reminded too
    declined_guardians = Notification.objects.filter(
        event_type="EventReminder", dedupe_key__endswith=f":{declined.profile.person_id}"
    )
    assert not declined_guardians.exists()


def test_a_series_is_reminded_per_time_and_not_after_a_time_started() -> None:
    now = timezone.now()
    start = now - timedelta(days=1) + timedelta(minutes=20)
    series = actions.create_event(
        viewer("karin"),
        actions.EventInput(
            title="Morgensang",
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            group_ids=(blaa().id,),
            repeat=Repeat.DAILY,
            repeat_until=timezone.localdate() + timedelta(days=5),
            reminder_minutes=60,
        ),
    )
    reminders.send_due_reminders(now)
    [sent] = ReminderSent.objects.filter(event=series)
    assert sent.occurrence_starts_at > now and sent.occurrence_starts_at - now <= timedelta(minutes=60)
    assert reminders.send_due_reminders(now + timedelta(minutes=30)) == 0  # started: not reminded late
    assert reminders.send_due_reminders(now + timedelta(days=1)) > 0  # the next day's time
    assert ReminderSent.objects.filter(event=series).count() == 2


def test_staff_remind_those_who_have_not_answered_at_most_once_a_day(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _other_child, other_parent = blaa_parent_with_login()
    event = create_by_form(client, "karin", blaa(), django_capture_on_commit_callbacks)
    emil = Invitation.objects.get(event=event, profile__person__first_name="Emil")
    mette = Client()
    sign_in(mette, "mette", role="guardian")
    mette.post(reverse("calendar:answer", args=[event.id, emil.id]), {"response": "accepted"})
    assert mette.post(reverse("calendar:remind", args=[event.id])).status_code == 404

    page = client.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "Påmind dem, der ikke har svaret" in page
    response = client.post(reverse("calendar:remind", args=[event.id]), follow=True)
    assert "påmindelser er sendt" in response.content.decode() or "påmindelse er sendt" in response.content.decode()
    reminded = Notification.objects.filter(dedupe_key__startswith=f"calendar:{event.id}:unanswered:")
    assert [n.person.login.username for n in reminded] == [other_parent]  # mette answered for Emil
    count = reminded.count()
    again = client.post(reverse("calendar:remind", args=[event.id]), follow=True).content.decode()
    assert "Ingen blev påmindet" in again and reminded.count() == count


def test_one_cancelled_time_of_a_series_is_told(django_capture_on_commit_callbacks: Any) -> None:
    karin = viewer("karin")
    first = local(1, 9)
    series = actions.create_event(
        karin,
        actions.EventInput(
            title="Sang",
            starts_at=first,
            ends_at=first + timedelta(hours=1),
            group_ids=(blaa().id,),
            repeat=Repeat.DAILY,
            repeat_until=timezone.localdate() + timedelta(days=10),
        ),
    )
    day = timezone.localtime(first).date() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        occurrence_actions.cancel_occurrence(karin, series.id, day)
    [note] = [n for n in notes("jonas", series) if n.event_type == "SingleOccurrenceEventCancelledNoReason"]
    assert note.title == f"Sang (Emil) · {day.strftime('%d.%m.%Y')} 09:00"
    assert notes("karin", series) == []  # the one who cancelled it

"""Messages through the actions: recipients, broadcast fan-out, private answers, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from kinabog.core.errors import InvalidInput, NotFound, StepUpRequired
from kinabog.institutions.models import Group, InstitutionProfile, Municipality, Person, Relation
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions, listing, queries
from kinabog.messaging.models import AutoReply, Message, Subscription, Thread
from kinabog.notifications.models import Notification

pytestmark = pytest.mark.django_db


def viewer(username: str, role: str | None = None, level: int = 2):
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, role, level)


def profile_of(username: str, role: str = "employee") -> InstitutionProfile:
    return InstitutionProfile.objects.filter(person__login__username=username, role=role).first()


def test_mette_writes_to_karin_and_karin_answers(django_capture_on_commit_callbacks):
    mette, karin = viewer("mette"), viewer("karin")
    with django_capture_on_commit_callbacks(execute=True):
        thread = actions.start_thread(
            mette,
            subject="Emil skal hentes tidligt",
            text="Hej Karin, Emil bliver hentet kl. 14 i dag.",
            recipients=actions.Recipients(profile_ids=[profile_of("karin").id]),
        )
    assert Subscription.objects.filter(thread=thread).count() == 2
    page = listing.inbox(karin)
    assert [s.thread_id for s in page.subscriptions] == [thread.id]
    assert not page.subscriptions[0].is_read
    actions.open_thread(karin, thread.id)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(karin, thread.id, "Tak for besked!")
    mette_sub = Subscription.objects.get(thread=thread, person__login__username="mette")
    assert not mette_sub.is_read
    assert Message.objects.filter(thread=thread).count() == 2
    assert Notification.objects.filter(person__login__username="mette", thread_id=thread.id).count() == 1


def test_jonas_is_not_a_participant():
    thread = actions.start_thread(
        viewer("mette"),
        subject="Privat",
        text="Kun til Karin",
        recipients=actions.Recipients(profile_ids=[profile_of("karin").id]),
    )
    with pytest.raises(NotFound):
        queries.get_subscription(viewer("jonas"), thread.id)
    with pytest.raises(NotFound):
        actions.reply(viewer("jonas"), thread.id, "Hej")


def test_broadcast_reaches_each_guardian_once_and_answers_go_to_the_sender_only():
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    thomas = viewer("thomas")
    thread = actions.start_thread(
        thomas,
        subject="Vigtig besked til alle forældre",
        text="Institutionerne holder lukket fredag.",
        recipients=actions.Recipients(groups=[(everyone.id, "")]),
    )
    subs = Subscription.objects.filter(thread=thread).exclude(person__login__username="thomas")
    person_ids = list(subs.values_list("person_id", flat=True))
    assert len(person_ids) == len(set(person_ids))
    # Mette has children in three groups at three institutions: one subscription.
    assert subs.filter(person__login__username="mette").count() == 1
    # Only acting guardians: peter (no custody) is not reached; lars (foster parent) is.
    assert not subs.filter(person__login__username="peter").exists()
    assert subs.filter(person__login__username="lars").exists()
    assert not subs.filter(profile__role__in=["employee", "child", "pupil"]).exists()
    assert thread.is_broadcast
    # Mette answers: a private thread with thomas only.
    actions.reply(viewer("mette"), thread.id, "Tak for info")
    private = Thread.objects.get(reply_to=thread, reply_person__login__username="mette")
    assert set(Subscription.objects.filter(thread=private).values_list("person__login__username", flat=True)) == {
        "mette",
        "thomas",
    }
    assert Message.objects.filter(thread=thread).count() == 1
    # Jonas does not see mette's answer.
    with pytest.raises(NotFound):
        queries.get_subscription(viewer("jonas"), private.id)


@pytest.mark.parametrize("granted_by", ["municipality", "relation"])
def test_a_guardian_without_custody_is_reached_once_extended_access_is_given(granted_by):
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    peter = Person.objects.get(login__username="peter")
    if granted_by == "municipality":
        Municipality.objects.filter(name="Havnby Kommune").update(non_custody_extended_access=True)
    else:
        Relation.objects.filter(guardian=peter).update(extended_access=True)
    thread = actions.start_thread(
        viewer("thomas"),
        subject="Til alle",
        text="Lukket fredag.",
        recipients=actions.Recipients(groups=[(everyone.id, "")]),
    )
    assert Subscription.objects.filter(thread=thread, person=peter).count() == 1


def test_every_subscription_is_its_profiles_persons_and_goes_with_the_person():
    """The person of a subscription has no constraint of its own in the database (decision 0009): the
    profile's constraint holds it as long as every write takes the profile's person, and Django removes the
    subscriptions when the person is deleted."""
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    thread = actions.start_thread(
        viewer("thomas"),
        subject="Til alle",
        text="Lukket fredag.",
        recipients=actions.Recipients(groups=[(everyone.id, "")]),
    )
    actions.reply(viewer("mette"), thread.id, "Tak")
    actions.start_thread(
        viewer("mette"),
        subject="Emil",
        text="Hentes kl. 14",
        recipients=actions.Recipients(profile_ids=[profile_of("karin").id]),
    )
    people = Subscription.objects.filter(person__isnull=False)
    assert people.count() > 10
    assert not people.exclude(person_id=F("profile__person_id")).exists()

    lars = Person.objects.get(login__username="lars")
    assert Subscription.objects.filter(person=lars).exists()
    lars.delete()
    assert not Subscription.objects.filter(person_id=lars.pk).exists()


def test_bad_input_writes_nothing():
    mette = viewer("mette")
    karin_id = profile_of("karin").id
    before = (Thread.objects.count(), Message.objects.count(), Subscription.objects.count())
    cases = [
        {"subject": "", "text": "x", "recipients": actions.Recipients(profile_ids=[karin_id])},
        {"subject": "Hej", "text": "<p> </p>", "recipients": actions.Recipients(profile_ids=[karin_id])},
        {"subject": "Hej", "text": "x", "recipients": actions.Recipients()},
        # Ole (Havnby Skole) is no one mette may reach through Emil's room.
        {"subject": "Hej", "text": "x", "recipients": actions.Recipients(profile_ids=[profile_of("ole").id])},
        {"subject": "Hej", "text": "x", "recipients": actions.Recipients(groups=[(999999, "")])},
    ]
    for case in cases:
        with pytest.raises(InvalidInput):
            actions.start_thread(mette, **case)
    assert (Thread.objects.count(), Message.objects.count(), Subscription.objects.count()) == before


def test_sensitive_needs_level_3_to_mark_and_to_read(django_capture_on_commit_callbacks):
    karin_id = profile_of("karin").id
    with pytest.raises(StepUpRequired):
        actions.start_thread(
            viewer("mette"),
            subject="Følsomt",
            text="x",
            recipients=actions.Recipients(profile_ids=[karin_id]),
            sensitive=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        thread = actions.start_thread(
            viewer("mette", level=3),
            subject="Følsomt",
            text="Om Emils helbred",
            recipients=actions.Recipients(profile_ids=[karin_id]),
            sensitive=True,
        )
    with pytest.raises(StepUpRequired):
        actions.open_thread(viewer("karin"), thread.id)
    actions.open_thread(viewer("karin", level=3), thread.id)
    note = Notification.objects.get(person__login__username="karin", thread_id=thread.id)
    assert note.title == "" and note.sender_name == "" and note.event_type == "NewSensitiveMessagePrivateInbox"


def test_script_is_removed_from_text():
    thread = actions.start_thread(
        viewer("mette"),
        subject="Hej",
        text='<p onclick="x()">Hej<script>alert(1)</script></p>',
        recipients=actions.Recipients(profile_ids=[profile_of("karin").id]),
    )
    text = Message.objects.get(thread=thread).text
    assert "script" not in text and "onclick" not in text and "Hej" in text


def test_auto_replies_answer_once_while_active_and_never_the_sender_or_a_leaver():
    karin = profile_of("karin")
    anders = InstitutionProfile.objects.get(
        person__login__username="anders", role="employee", institution__code="G10001"
    )
    now = timezone.now()
    AutoReply.objects.create(
        profile=karin, text="Ferie", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
    )
    AutoReply.objects.create(
        profile=anders, text="Kursus", starts_at=now + timedelta(hours=1), ends_at=now + timedelta(days=1)
    )

    def auto_replies(thread: Thread) -> list[tuple[int | None, str]]:
        rows = Message.objects.filter(thread=thread, kind="auto_reply").order_by("id")
        return list(rows.values_list("sender_id", "text"))

    thread = actions.start_thread(
        viewer("mette"), subject="Er du der?", text="Hej", recipients=actions.Recipients(profile_ids=[karin.id])
    )
    assert auto_replies(thread) == [(karin.id, "Ferie")]  # an ordinary thread: written with the message
    actions.after_new_message(thread.last_message_id)  # run again (a retried task): still one answer
    actions.reply(viewer("mette"), thread.id, "Hallo?")
    assert auto_replies(thread) == [(karin.id, "Ferie")]

    own = actions.start_thread(
        viewer("karin"),
        subject="Fra karin",
        text="Hej",
        recipients=actions.Recipients(profile_ids=[profile_of("mette", "guardian").id, anders.id]),
    )
    assert auto_replies(own) == []  # her own does not answer her, and anders's has not begun

    left = actions.start_thread(
        viewer("mette"), subject="Igen", text="Hej", recipients=actions.Recipients(profile_ids=[karin.id])
    )
    Message.objects.filter(thread=left, kind="auto_reply").delete()
    Subscription.objects.filter(thread=left, profile=karin).update(left_at=now)
    actions.reply(viewer("mette"), left.id, "Er du der stadig?")
    assert auto_replies(left) == []
    actions.after_new_message(10**9)  # a message deleted before its side effects ran: nothing happens

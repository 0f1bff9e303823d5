"""Creating notifications and e-mailing them: once per event, instant or daily, never the content."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinabog.core.errors import InvalidInput
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions as messaging
from kinabog.messaging.models import Thread
from kinabog.notifications import actions, tasks
from kinabog.notifications.models import Notification

pytestmark = pytest.mark.django_db


def viewer(username: str, level: int = 2):  # type: ignore[no-untyped-def]
    return build_viewer(Person.objects.get(login__username=username).login_id, None, level)


def write(subject: str, text: str = "<p>Emil bliver hentet kl. 14.</p>", *, sensitive: bool = False) -> Thread:
    """Mette writes to karin."""
    karin = InstitutionProfile.objects.get(person__login__username="karin")
    return messaging.start_thread(
        viewer("mette", level=3 if sensitive else 2),
        subject=subject,
        text=text,
        recipients=messaging.Recipients(profile_ids=[karin.id]),
        sensitive=sensitive,
    )


def choose(username: str, delivery: str, area: str = "Messages") -> None:
    actions.set_delivery(viewer(username), {area: delivery})


def test_an_ordinary_threads_notifications_are_written_with_the_message_and_once():
    thread = write("Emil skal hentes")  # in the send's own transaction: nothing waits for a commit
    [note] = Notification.objects.filter(thread_id=thread.id)
    assert note.person.login.username == "karin" and note.title == "Emil skal hentes"
    assert note.sender_name == "Mette Hansen" and note.event_type == "NewMessagePrivateInbox"
    assert actions.notify_new_message(thread.last_message_id) == 0  # a retried job writes nothing twice
    assert Notification.objects.filter(thread_id=thread.id).count() == 1


def test_a_protected_sender_is_named_by_alias(monkeypatch):
    Person.objects.filter(login__username="mette").update(is_protected=True, alias="Forælder til Emil")
    thread = write("Emil skal hentes")
    assert Notification.objects.get(thread_id=thread.id).sender_name == "Forælder til Emil"


def test_a_large_threads_side_effects_wait_for_the_worker(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(messaging, "SIDE_EFFECTS_IN_SEND_UP_TO", 1)  # mette and karin are two
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = write("Emil skal hentes")
    assert not Notification.objects.filter(thread_id=thread.id).exists() and len(callbacks) == 1
    callbacks[0]()  # the commit: queued, and run here (no broker in the tests)
    assert Notification.objects.filter(thread_id=thread.id).count() == 1


def test_instant_email_for_a_person_who_chose_it(mailoutbox, django_capture_on_commit_callbacks):
    choose("karin", "instant")
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("Emil skal hentes")
    [mail] = mailoutbox
    assert mail.to == ["karin@havnby.example"] and "Emil skal hentes" in mail.body
    assert "hentet kl. 14" not in mail.body  # the subject, never the text
    assert Notification.objects.get(thread_id=thread.id).emailed_at is not None
    assert tasks.send_daily_digests() == 0  # already e-mailed
    assert len(mailoutbox) == 1


def test_the_email_task_is_queued_only_when_someone_in_the_thread_asked_for_it(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    queued: list[str] = []
    monkeypatch.setattr(tasks.send_instant_emails, "delay", lambda key, **_options: queued.append(key))
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("Emil skal hentes")
    Notification.objects.filter(thread_id=thread.id).delete()
    with CaptureQueriesContext(connection) as side_effects:
        messaging.after_new_message(thread.last_message_id)
    # The message once, the notifications, whether anyone wants e-mail now, the auto-replies.
    assert len(side_effects.captured_queries) == 4 and queued == []
    assert Notification.objects.filter(thread_id=thread.id).count() == 1

    choose("karin", "instant")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = write("Tur i skoven")
    assert queued == []  # not before the message is committed
    for callback in callbacks:
        callback()
    assert queued == [f"message:{thread.last_message_id}"] and mailoutbox == []  # sent by the worker, not here


def test_a_broker_that_is_down_sends_the_instant_email_in_process(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_instant_emails, "delay", broker_down)
    choose("karin", "instant")
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("Emil skal hentes")
    [mail] = mailoutbox
    assert mail.to == ["karin@havnby.example"]
    assert Notification.objects.get(thread_id=thread.id).emailed_at is not None


def test_no_instant_email_for_the_default_daily_digest(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write("Emil skal hentes")
    assert mailoutbox == []


def test_a_sensitive_notification_and_its_email_carry_no_content(mailoutbox, django_capture_on_commit_callbacks):
    choose("karin", "instant")
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("Emils helbred", "<p>Om Emils allergi</p>", sensitive=True)
    note = Notification.objects.get(thread_id=thread.id)
    assert (note.title, note.sender_name, note.event_type) == ("", "", "NewSensitiveMessagePrivateInbox")
    [mail] = mailoutbox
    for secret in ("helbred", "allergi", "Mette"):
        assert secret not in mail.subject and secret not in mail.body


def test_daily_digest_is_sent_once_even_when_run_twice(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write("Emil skal hentes")
        write("Tur i skoven")
        write("Emils helbred", "<p>Om Emils allergi</p>", sensitive=True)
    assert tasks.send_daily_digests() == 1
    [mail] = mailoutbox
    assert mail.to == ["karin@havnby.example"]
    assert "Emil skal hentes" in mail.body and "Tur i skoven" in mail.body
    assert "helbred" not in mail.body and "allergi" not in mail.body and "hentet kl. 14" not in mail.body
    assert tasks.send_daily_digests() == 0
    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_digest_leaves_out_seen_notifications_and_people_who_want_no_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("Emil skal hentes")
    actions.mark_thread_seen(Person.objects.get(login__username="karin").id, thread.id)
    assert tasks.send_daily_digests() == 0
    choose("karin", "off")
    with django_capture_on_commit_callbacks(execute=True):
        write("Tur i skoven")
    assert tasks.send_daily_digests() == 0
    choose("karin", "digest")
    assert tasks.send_daily_digests() == 1  # "only in Kinabog" held it back; it was never e-mailed
    assert mailoutbox[0].body.count("Tur i skoven") == 1 and "Emil skal hentes" not in mailoutbox[0].body


def test_unknown_delivery_choices_are_refused():
    with pytest.raises(InvalidInput):
        actions.set_delivery(viewer("karin"), {"Messages": "pigeon"})
    with pytest.raises(InvalidInput):
        actions.set_delivery(viewer("karin"), {"Weather": "instant"})

"""messaging.*, search.* and notifications.* through the Aula API, as a community client calls them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.messaging import actions
from kinabog.messaging.models import Attachment, CommonInbox, Message, Subscription, Thread
from kinabog.notifications.models import Notification

from .conftest import AulaClient, ok, status_of

pytestmark = pytest.mark.django_db

MissingId = 987_654_321


@pytest.fixture
def client_for(token_for: Callable[..., str]) -> Callable[..., AulaClient]:
    """A fresh Aula client (its own cookies) through the whole bootstrap, for one person."""

    def make(username: str, role: str, scope: str = "aula") -> AulaClient:
        aula = AulaClient(Client())
        aula.sign_in(token_for(username, scope))
        aula.activate(role)
        return aula

    return make


def viewer(username: str, role: str | None = None, level: int = 2):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.get(username=username)
    return institution_queries.build_viewer(user.pk, role, level)


def profile_id(username: str, role: str = "employee") -> int:
    """The person's profile in a role: at Katamaranen, where karin works, when they have one there."""
    profiles = institution_queries.my_profiles(viewer(username, role))
    return max(profiles, key=lambda p: p.institution.code).id  # "G10001" sorts after the school codes


def write(sender: str, to: str, subject: str, text: str = "Hej", to_role: str = "employee", **extra: Any) -> Thread:
    """A thread written straight through the actions (the API is exercised elsewhere)."""
    return actions.start_thread(
        viewer(sender, level=3 if extra.get("sensitive") else 2),
        subject=subject,
        text=text,
        recipients=actions.Recipients(profile_ids=[profile_id(to, to_role)]),
        **extra,
    )


def new_thread_body(recipient_id: int, subject: str = "Emil skal hentes tidligt", **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "message": {"text": "<p>Hej Karin, Emil bliver hentet kl. 14 i dag.</p>"},
        "recipients": [{"id": recipient_id, "mailBoxOwnerType": "institutionProfile"}],
        **extra,
    }


def thread_ids(aula: AulaClient, **params: Any) -> list[int]:
    return [t["id"] for t in ok(aula.get("messaging.getThreads", **params))["threads"]]


def stored() -> tuple[int, int, int]:
    return Thread.objects.count(), Message.objects.count(), Subscription.objects.count()


# --- The community-client flow ---------------------------------------------------------------------


def test_mette_writes_to_karin_who_reads_and_answers(client_for, django_capture_on_commit_callbacks):
    mette = client_for("mette", "guardian")
    found = ok(mette.get("search.findRecipients", text="Karin"))
    [karin_entry] = [r for r in found["results"] if r["docType"] == "Profile"]
    assert karin_entry["name"] == "Karin Jensen" and found["totalHits"] >= 1
    with django_capture_on_commit_callbacks(execute=True):
        thread_id = ok(
            mette.post("messaging.startNewThread", new_thread_body(karin_entry["id"]) | {"sensitive": False})
        )
    assert isinstance(thread_id, int)

    karin = client_for("karin", "employee")
    [row] = [t for t in ok(karin.get("messaging.getThreads", page=0))["threads"] if t["id"] == thread_id]
    assert row["subject"] == "Emil skal hentes tidligt" and row["read"] is False and row["sensitive"] is False
    assert row["creator"]["fullName"] == "Mette Hansen"
    assert row["creator"]["mailBoxOwner"]["mailBoxOwnerType"] == "institutionProfile"
    assert "hentet kl. 14" in row["latestMessage"]["text"]["html"]
    assert {r["fullName"] for r in row["recipients"]} == {"Mette Hansen", "Karin Jensen"}
    assert thread_id in thread_ids(karin, filterOn="unread")

    detail = ok(karin.get("messaging.getMessagesForThread", threadId=thread_id, page=0))
    assert detail["subject"] == "Emil skal hentes tidligt" and detail["totalMessageCount"] == 1
    [first] = detail["messages"]
    assert first["messageType"] == "Message" and first["sender"]["fullName"] == "Mette Hansen"
    assert first["canReplyToMessage"] is True and "+0" in first["sendDateTime"]
    assert thread_id not in thread_ids(karin, filterOn="unread")  # reading marked it read

    with django_capture_on_commit_callbacks(execute=True):
        [answer] = ok(
            karin.post("messaging.reply", {"threadId": thread_id, "message": {"text": "Tak, det noterer jeg."}})
        )
    assert answer["threadId"] == thread_id and answer["sender"]["fullName"] == "Karin Jensen"

    row = next(t for t in ok(mette.get("messaging.getThreads"))["threads"] if t["id"] == thread_id)
    assert row["read"] is False and "noterer" in row["latestMessage"]["text"]["html"]
    [note] = ok(mette.get("notifications.getNotificationsForActiveProfile", offset=0, limit=10))
    assert note["threadId"] == thread_id and note["notificationArea"] == "Messages"
    messages = ok(mette.get("messaging.getMessagesForThread", threadId=thread_id))["messages"]
    assert [m["sender"]["fullName"] for m in messages] == ["Karin Jensen", "Mette Hansen"]  # newest first
    assert ok(mette.get("notifications.getNotificationsForActiveProfile")) == []  # reading the thread saw it

    Subscription.objects.filter(thread_id=thread_id, person__login__username="mette").update(is_read=False)
    assert ok(mette.post("messaging.setLastReadMessage", {"messageId": messages[0]["id"], "threadId": thread_id}))
    assert thread_id not in thread_ids(mette, filterOn="unread")


def test_posts_need_the_csrfp_token_and_store_nothing_without_it(signed_in):
    mette = signed_in("mette", "guardian")
    before = stored()
    response = mette.post("messaging.startNewThread", new_thread_body(profile_id("karin")), csrf=False)
    assert response.status_code == 403 and status_of(response)["code"] == 403
    thread = write("karin", "mette", "Hej", to_role="guardian")
    for method, body in [
        ("messaging.reply", {"threadId": thread.id, "message": {"text": "Hej"}}),
        ("messaging.setLastReadMessage", {"threadId": thread.id, "messageId": thread.last_message_id}),
        ("search.findMessage", {"text": "Hej"}),
    ]:
        assert status_of(mette.post(method, body, csrf=False))["code"] == 403, method
    assert stored() == (before[0] + 1, before[1] + 1, before[2] + 2)


def test_reads_are_get_and_writes_are_post(signed_in):
    mette = signed_in("mette", "guardian")
    assert mette.post("messaging.getThreads", {}).status_code == 405
    assert mette.get("messaging.startNewThread").status_code == 405
    assert mette.get("search.findMessage", text="x").status_code == 405


# --- Nobody sees a thread they take no part in -------------------------------------------------------


@pytest.mark.parametrize(("username", "role"), [("jonas", "guardian"), ("peter", "guardian"), ("thomas", "employee")])
def test_others_get_not_found_for_mettes_thread_with_karin(client_for, username, role):
    thread = write("mette", "karin", "Privat om Emil", "Kun til Karin")
    other = client_for(username, role)
    missing = other.get("messaging.getMessagesForThread", threadId=MissingId)
    hidden = other.get("messaging.getMessagesForThread", threadId=thread.id)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() and status_of(hidden)["code"] == 404
    assert "Privat" not in hidden.content.decode()
    before = stored()
    for method, body in [
        ("messaging.reply", {"threadId": thread.id, "message": {"text": "Hej"}}),
        ("messaging.setLastReadMessage", {"threadId": thread.id, "messageId": thread.last_message_id}),
    ]:
        assert status_of(other.post(method, body))["code"] == 404, method
    assert stored() == before
    assert thread.id not in thread_ids(other)
    assert ok(other.post("search.findMessage", {"text": "Privat"}))["totalSize"] == 0


# --- Sensitive threads -----------------------------------------------------------------------------


def test_sensitive_thread_is_listed_without_content_and_needs_step_up(client_for, monkeypatch):
    audited: list[tuple[str, int]] = []
    record = actions.audit.record
    monkeypatch.setattr(
        actions.audit, "record", lambda **kw: audited.append((kw["action"], kw["obj"].id)) or record(**kw)
    )
    before = stored()
    mette = client_for("mette", "guardian")
    refused = mette.post("messaging.startNewThread", new_thread_body(profile_id("karin"), sensitive=True))
    assert refused.status_code == 401 and status_of(refused)["subCode"] == 8
    assert stored() == before

    mette_3 = client_for("mette", "guardian", "aula-sensitive")
    thread_id = ok(
        mette_3.post("messaging.startNewThread", new_thread_body(profile_id("karin"), "Emils helbred", sensitive=True))
    )

    karin = client_for("karin", "employee")
    row = next(t for t in ok(karin.get("messaging.getThreads"))["threads"] if t["id"] == thread_id)
    assert row["sensitive"] is True and row["subject"] == "" and row["latestMessage"]["text"]["html"] == ""
    assert "helbred" not in str(row) and "hentet" not in str(row)
    response = karin.get("messaging.getMessagesForThread", threadId=thread_id)
    assert response.status_code == 401
    status = status_of(response)
    assert (status["code"], status["subCode"]) == (403, 8) and status["presentedMessage"]
    assert "helbred" not in response.content.decode()
    reply = karin.post("messaging.reply", {"threadId": thread_id, "message": {"text": "Svar"}})
    assert reply.status_code == 401 and status_of(reply)["subCode"] == 8
    assert thread_id in thread_ids(karin, filterOn="unread")  # not read by being refused
    assert ok(karin.post("search.findMessage", {"text": "hentet"}))["totalSize"] == 0

    karin_3 = client_for("karin", "employee", "aula-sensitive")
    detail = ok(karin_3.get("messaging.getMessagesForThread", threadId=thread_id))
    assert detail["sensitive"] is True and detail["subject"] == "Emils helbred"
    assert ("read_sensitive_thread", thread_id) in audited
    assert ok(karin_3.post("search.findMessage", {"text": "hentet"}))["totalSize"] == 1


def test_a_sensitive_notification_carries_no_content(client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("mette", "karin", "Emils helbred", "Om Emils allergi", sensitive=True)
    karin = client_for("karin", "employee")
    [note] = ok(karin.get("notifications.getNotificationsForActiveProfile"))
    assert note["threadId"] == thread.id and note["notificationEventType"] == "NewSensitiveMessagePrivateInbox"
    assert note["title"] is None and note["senderName"] is None and note["messageText"] is None
    assert "helbred" not in str(note) and "Mette" not in str(note)


# --- Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "Hej", "recipients": []},
        {"subject": "Hej", "message": "tekst", "recipients": []},
        {"subject": "Hej", "message": {"text": 5}, "recipients": []},
        {"subject": "Hej", "message": {"text": "x"}, "recipients": "karin"},
        {
            "subject": "Hej",
            "message": {"text": "x"},
            "recipients": [{"id": "abc", "mailBoxOwnerType": "institutionProfile"}],
        },
        {"subject": "Hej", "message": {"text": "x"}, "recipients": [{"id": 1, "mailBoxOwnerType": "otpInbox"}]},
        {
            "subject": "Hej",
            "message": {"text": "x"},
            "recipients": [{"id": 1, "mailBoxOwnerType": "group", "portalRole": "otp"}],
        },
        {"subject": ["Hej"], "message": {"text": "x"}, "recipients": []},
        {"subject": "Hej", "message": {"text": "x", "attachmentIds": [1]}, "recipients": []},
        {"subject": "Hej", "message": {"text": "x"}, "recipients": [], "sensitive": "måske"},
    ],
)
def test_unreadable_input_answers_code_40_and_stores_nothing(signed_in, body):
    mette = signed_in("mette", "guardian")
    before = stored()
    response = mette.post("messaging.startNewThread", body)
    assert response.status_code == 200 and status_of(response)["code"] == 40
    assert stored() == before


def test_refused_input_answers_code_40_with_a_danish_message(signed_in):
    mette = signed_in("mette", "guardian")
    before = stored()
    no_subject = status_of(mette.post("messaging.startNewThread", new_thread_body(profile_id("karin"), "  ")))
    assert no_subject["code"] == 40 and no_subject["presentedMessage"] == "Skriv et emne."
    unreachable = status_of(mette.post("messaging.startNewThread", new_thread_body(profile_id("ole"))))
    assert unreachable["code"] == 40 and unreachable["presentedMessage"]
    blank = new_thread_body(profile_id("karin")) | {"message": {"text": "<p> </p>"}}
    assert status_of(mette.post("messaging.startNewThread", blank))["code"] == 40
    assert stored() == before
    for params in [{"page": -1}, {"page": "x"}, {"filterOn": "everything"}]:
        assert status_of(mette.get("messaging.getThreads", **params))["code"] == 40
    assert status_of(mette.get("messaging.getMessagesForThread"))["code"] == 40
    assert status_of(mette.get("notifications.getNotificationsForActiveProfile", limit=0))["code"] == 40
    assert status_of(mette.post("search.findMessage", {"text": "x", "fromDate": "i går"}))["code"] == 40


def test_karin_writes_to_the_guardians_of_her_room(client_for):
    [blue] = [g for g in institution_queries.my_groups(viewer("karin", "employee")) if g.name == "Blå stue"]
    karin = client_for("karin", "employee")
    body = {
        "subject": "Tur i skoven fredag",
        "message": {"text": "Husk regntøj."},
        "recipients": [{"id": blue.id, "mailBoxOwnerType": "group", "portalRole": "guardian"}],
    }
    thread_id = ok(karin.post("messaging.startNewThread", body))
    people = set(Subscription.objects.filter(thread_id=thread_id).values_list("person__login__username", flat=True))
    assert {"karin", "mette", "jonas"} <= people and "peter" not in people
    assert thread_id in thread_ids(client_for("jonas", "guardian"))


# --- Search and notifications --------------------------------------------------------------------------


def test_find_message_searches_own_threads_by_text_and_date(client_for):
    thread = write("mette", "karin", "Madpakker", "<p>Vi går en tur i skoven på fredag</p>")
    write("mette", "karin", "Noget andet", "<p>Om sovetider</p>")
    karin = client_for("karin", "employee")
    found = ok(karin.post("search.findMessage", {"text": "skoven", "limit": 10, "offset": 0}))
    assert found["totalSize"] == 1
    [hit] = found["results"]
    assert hit["thread"]["id"] == thread.id and hit["thread"]["subject"] == "Madpakker"
    assert hit["searchMessage"]["senderDisplayName"] == "Mette Hansen" and hit["subscriptionId"]
    own = Subscription.objects.get(thread=thread, person__login__username="karin")
    assert hit["subscriptionId"] == own.id and hit["institutionCode"] == "G10001"
    assert hit["read"] is False and hit["searchMessage"]["unread"] is True and hit["marked"] is False
    assert hit["thread"]["sensitivityLevel"] == 2 and hit["searchMessage"]["messageType"] == "Message"
    assert ok(karin.post("search.findMessage", {"text": "madpakker"}))["totalSize"] == 1  # the subject
    assert (
        ok(
            karin.post(
                "search.findMessage", {"text": "skoven", "fromDate": "2001-01-01", "toDate": "2001-12-31T23:59:59"}
            )
        )["totalSize"]
        == 0
    )
    assert (
        ok(karin.post("search.findMessage", {"text": "skoven", "fromDate": "2001-01-01T00:00:00.000Z"}))["totalSize"]
        == 1
    )
    assert ok(karin.post("search.findMessage", {"text": "", "senderName": "Mette"}))["totalSize"] == 2


def test_danish_stemming_on_postgresql(client_for):
    if connection.vendor != "postgresql":
        pytest.skip("Danish full-text search is PostgreSQL's")
    write("mette", "karin", "Fredag", "<p>Vi går en tur i skov og mark</p>")
    karin = client_for("karin", "employee")
    assert ok(karin.post("search.findMessage", {"text": "skoven"}))["totalSize"] == 1


def test_notifications_have_aula_fields_and_are_the_active_profiles_own(client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        thread = write("mette", "karin", "Emil skal hentes")
    karin = client_for("karin", "employee")
    [note] = ok(karin.get("notifications.getNotificationsForActiveProfile", offset=0, limit=20))
    assert note["notificationId"] == str(Notification.objects.get(thread_id=thread.id).id)
    assert note["notificationEventType"] == "NewMessagePrivateInbox" and note["notificationType"] == "Badge"
    assert note["institutionCode"] == "G10001" and note["institutionProfileId"] == profile_id("karin")
    assert note["title"] == "Emil skal hentes" and note["senderName"] == "Mette Hansen"
    assert note["triggered"][19:] in {"+01:00", "+02:00"} and note["url"].endswith(f"/{thread.id}/")
    assert ok(client_for("jonas", "guardian").get("notifications.getNotificationsForActiveProfile")) == []


# --- Query budgets -------------------------------------------------------------------------------------


def count_queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as context:
        ok(call())
    return len(context.captured_queries)


def test_start_new_thread_costs_the_same_for_1_and_3_recipients(client_for):
    karin = client_for("karin", "employee")
    one = [profile_id("mette", "guardian")]
    anders = next(
        p.id for p in institution_queries.my_profiles(viewer("anders", "employee")) if p.institution.code == "G10001"
    )
    three = [*one, profile_id("jonas", "guardian"), anders]

    def send(ids: list[int]) -> Any:
        recipients = [{"id": i, "mailBoxOwnerType": "institutionProfile"} for i in ids]
        return karin.post("messaging.startNewThread", new_thread_body(ids[0]) | {"recipients": recipients})

    few = count_queries(lambda: send(one))
    # The login and the Viewer (built on every request in the tests; 8), a savepoint (the test's transaction),
    # the blocked channels, the recipients' facts, the thread, its first message, every subscription in one
    # INSERT … SELECT, the thread's last message, the audit row, the notifications in one INSERT … SELECT,
    # whether anyone wants them by e-mail now, the active auto-replies (decision 0016), and the savepoint's
    # release.
    with assert_max_queries(20):
        thread_id = ok(send(three))
    assert count_queries(lambda: send(three)) == few
    assert Subscription.objects.filter(thread_id=thread_id).count() == 4
    assert Notification.objects.filter(thread_id=thread_id).count() == 3  # the sender gets none
    assert Subscription.objects.get(thread_id=thread_id, profile_id=profile_id("karin")).is_read is True


def test_get_threads_costs_the_same_for_3_and_40_threads(client_for, django_capture_on_commit_callbacks):
    for i in range(3):
        write("mette", "karin", f"Besked {i}")
    karin = client_for("karin", "employee")
    few = count_queries(lambda: karin.get("messaging.getThreads"))
    for i in range(37):
        write("mette" if i % 2 else "anders", "karin", f"Flere {i}")
    # Session and Viewer (8), the page (with whether its latest messages have attachments), the authors (one
    # query; none for common inboxes here), the participants of the small threads.
    with assert_max_queries(11):
        data = ok(karin.get("messaging.getThreads"))
    assert len(data["threads"]) == 20 and data["moreMessagesExist"] is True
    assert count_queries(lambda: karin.get("messaging.getThreads")) == few
    assert count_queries(lambda: karin.get("messaging.getThreads", page=1)) == few


def test_get_messages_for_thread_costs_the_same_for_1_and_30_messages(client_for):
    thread = write("mette", "karin", "Lang tråd")
    karin = client_for("karin", "employee")
    ok(karin.get("messaging.getMessagesForThread", threadId=thread.id))  # marks it read: later reads write nothing
    few = count_queries(lambda: karin.get("messaging.getMessagesForThread", threadId=thread.id))
    for i in range(29):
        actions.reply(viewer("karin" if i % 2 else "mette"), thread.id, f"Svar {i}")  # mette last: unread again
    with assert_max_queries(15):
        detail = ok(karin.get("messaging.getMessagesForThread", threadId=thread.id, page=1, limit=20))
    assert detail["totalMessageCount"] == 30 and len(detail["messages"]) == 10 and not detail["moreMessagesExist"]
    assert count_queries(lambda: karin.get("messaging.getMessagesForThread", threadId=thread.id)) == few


def test_search_and_notification_budgets_do_not_grow(client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write("mette", "karin", "Skoven 0")
    karin = client_for("karin", "employee")
    search = count_queries(lambda: karin.post("search.findMessage", {"text": "skoven"}))
    notes = count_queries(lambda: karin.get("notifications.getNotificationsForActiveProfile"))
    recipients = count_queries(lambda: karin.get("search.findRecipients", text="Hansen"))
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(1, 25):
            write("mette", "karin", f"Skoven {i}")
    # The matches are ranked once, up to the count's cap: a full page costs what a partial one does.
    assert count_queries(lambda: karin.post("search.findMessage", {"text": "skoven"})) == search
    assert count_queries(lambda: karin.get("notifications.getNotificationsForActiveProfile")) == notes
    assert count_queries(lambda: karin.get("search.findRecipients", text="Hansen")) == recipients
    with assert_max_queries(12):
        ok(karin.get("search.findRecipients", text="Hansen"))
    # karin also works in Katamaranen's common inbox; PostgreSQL's ranking runs without parallel workers (+1)
    with assert_max_queries(14 if connection.vendor == "postgresql" else 13):
        ok(karin.post("search.findMessage", {"text": "skoven"}))
    with assert_max_queries(9):
        ok(karin.get("notifications.getNotificationsForActiveProfile"))


def test_get_threads_lists_attachments_and_protected_names_as_the_viewer_may_see_them(client_for):
    plain = write("mette", "karin", "Uden bilag")
    with_file = write("mette", "karin", "Med bilag")
    assert with_file.last_message is not None
    Attachment.objects.create(
        message=with_file.last_message, file="attachments/x.pdf", name="x.pdf", content_type="application/pdf", size=3
    )
    mette = get_user_model().objects.get(username="mette").person
    mette.is_protected, mette.alias = True, "Forælder til Emil"
    mette.save(update_fields=["is_protected", "alias"])

    rows = {t["id"]: t for t in ok(client_for("karin", "employee").get("messaging.getThreads"))["threads"]}
    assert rows[with_file.id]["latestMessage"]["hasAttachments"] is True
    assert rows[plain.id]["latestMessage"]["hasAttachments"] is False
    # karin is a pedagogue, not the leader: a protected guardian is shown by alias, as author and participant.
    row = rows[plain.id]
    assert row["creator"]["fullName"] == "Forælder til Emil"
    assert row["latestMessage"]["sender"]["fullName"] == "Forælder til Emil"
    assert {r["fullName"] for r in row["recipients"]} == {"Forælder til Emil", "Karin Jensen"}
    assert "Mette" not in str(rows)
    # A page builds each name once and names a person the same way on every row.
    for listed in (rows[plain.id], rows[with_file.id]):
        assert listed["creator"]["fullName"] == "Forælder til Emil"
        assert {r["fullName"] for r in listed["recipients"]} == {"Forælder til Emil", "Karin Jensen"}
    # mette sees her own name, on every row of her page.
    own = {t["id"]: t for t in ok(client_for("mette", "guardian").get("messaging.getThreads"))["threads"]}
    for listed in (own[plain.id], own[with_file.id]):
        assert listed["creator"]["fullName"] == "Mette Hansen"
        assert {r["fullName"] for r in listed["recipients"]} == {"Mette Hansen", "Karin Jensen"}


def to_the_office(*profile_ids: int) -> tuple[Thread, CommonInbox]:
    """mette writes to Katamaranen's office (and to `profile_ids`)."""
    office = CommonInbox.objects.get(name="Kontoret, Katamaranen")
    recipients = actions.Recipients(profile_ids=list(profile_ids), common_inbox_ids=[office.id])
    return actions.start_thread(viewer("mette"), subject="Ferie", text="Emil holder fri", recipients=recipients), office


def test_get_threads_names_a_common_inbox_and_a_person_as_authors(client_for):
    thread, office = to_the_office()
    actions.reply_from_common_inbox(viewer("karin"), office.id, thread.id, "Tak for besked")
    listed = next(
        t for t in ok(client_for("mette", "guardian").get("messaging.getThreads"))["threads"] if t["id"] == thread.id
    )
    assert listed["creator"]["fullName"] == "Mette Hansen"
    assert listed["creator"]["mailBoxOwner"]["mailBoxOwnerType"] == "institutionProfile"
    sender = listed["latestMessage"]["sender"]
    assert sender["fullName"] == "Kontoret, Katamaranen" and sender["mailBoxOwner"]["mailBoxOwnerType"] == "commonInbox"


def test_the_recipients_of_a_broadcast_stay_unnamed_to_each_other(client_for):
    guardians = [profile_id("mette", "guardian"), profile_id("jonas", "guardian")]
    thread = actions.start_thread(
        viewer("karin", "employee"),
        subject="Forældremøde",
        text="Husk forældremødet torsdag.",
        recipients=actions.Recipients(profile_ids=guardians),
        replies_to_sender_only=True,
    )
    mette = client_for("mette", "guardian")
    row = next(t for t in ok(mette.get("messaging.getThreads"))["threads"] if t["id"] == thread.id)
    assert row["recipients"] == [] and row["extraRecipientsCount"] == 3
    assert row["creator"]["fullName"] == "Karin Jensen"  # who wrote it is shown, not who else got it
    detail = ok(mette.get("messaging.getMessagesForThread", threadId=thread.id))
    assert detail["recipients"] == []
    assert "Jonas" not in str(row) + str(detail)

    karin = client_for("karin", "employee")  # the starter sees whom she wrote to
    row = next(t for t in ok(karin.get("messaging.getThreads"))["threads"] if t["id"] == thread.id)
    assert len(row["recipients"]) == 3
    assert len(ok(karin.get("messaging.getMessagesForThread", threadId=thread.id))["recipients"]) == 3


def test_get_threads_lists_a_common_inbox_and_a_deactivated_person_among_the_participants(client_for):
    thread, office = to_the_office(profile_id("karin"))
    karin = Subscription.objects.select_related("profile").get(thread=thread, profile_id=profile_id("karin")).profile
    assert karin is not None
    karin.is_active = False  # as a provisioning import that no longer lists her does
    karin.save(update_fields=["is_active"])
    rows = ok(client_for("mette", "guardian").get("messaging.getThreads"))["threads"]
    row = next(t for t in rows if t["id"] == thread.id)
    listed = {r["fullName"]: r["mailBoxOwner"] for r in row["recipients"]}
    assert listed["Kontoret, Katamaranen"]["mailBoxOwnerType"] == "commonInbox"
    assert listed["Kontoret, Katamaranen"]["id"] == office.id
    assert listed["Karin Jensen"]["isDeactivated"] is True
    assert listed["Mette Hansen"]["isDeactivated"] is False and row["extraRecipientsCount"] == 0


def test_get_threads_pages_the_threads_of_all_the_viewers_profiles_newest_first(client_for):
    mette = viewer("mette", "guardian")
    school, daycare = sorted(p.id for p in mette.profiles)[:2]  # Sofie's school and Emil's daycare
    start = timezone.now() - timedelta(days=1)
    for i in range(25):
        thread = write("karin", "mette", f"Besked {i}", to_role="guardian")
        # Alternately to each of her profiles, and newest first in an order the ids do not give.
        Subscription.objects.filter(thread=thread, person_id=mette.person_id).update(
            profile_id=school if i % 2 else daycare, last_message_at=start + timedelta(minutes=(i * 7) % 25)
        )
    Subscription.objects.filter(thread__subject="Besked 3", person_id=mette.person_id).update(is_read=True)
    expected = list(
        Subscription.objects.filter(profile_id__in=[school, daycare], left_at__isnull=True, deleted_at__isnull=True)
        .order_by("-last_message_at", "-id")
        .values_list("thread_id", flat=True)
    )
    client = client_for("mette", "guardian")
    first, second = (ok(client.get("messaging.getThreads", page=page)) for page in (0, 1))
    assert [t["id"] for t in first["threads"] + second["threads"]] == expected
    assert len(first["threads"]) == 20 and first["moreMessagesExist"] and not second["moreMessagesExist"]
    owners = {t["mailBoxOwner"]["id"] for t in first["threads"]}
    assert owners == {school, daycare}
    unread = ok(client.get("messaging.getThreads", filterOn="unread", page=1))["threads"]
    read_thread = Thread.objects.get(subject="Besked 3").id
    assert [t["id"] for t in unread] == [t for t in expected if t != read_thread][20:]

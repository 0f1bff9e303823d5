"""The Beskeder pages through HTTP: inbox, thread, compose, bad input, sensitive threads and query budgets."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import (
    CommunicationBlock,
    Group,
    Institution,
    InstitutionProfile,
    Permission,
    Person,
    RolePermission,
)
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions
from kinabog.messaging.models import AutoReply, CommonInbox, Folder, Message, Subscription, Thread

pytestmark = pytest.mark.django_db

INBOX = reverse("messaging:inbox")
COMPOSE = reverse("messaging:compose")


def viewer(username: str, role: str | None = None, level: int = 2):
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, role, level)


def profile_of(username: str, role: str = "employee") -> InstitutionProfile:
    """The person's profile in that role; at Katamaranen for anders, who leads two institutions."""
    profiles = InstitutionProfile.objects.filter(person__login__username=username, role=role)
    return profiles.filter(institution__name="Børnehuset Katamaranen").first() or profiles.first()


def thread_url(thread_id: int) -> str:
    return reverse("messaging:thread", args=[thread_id])


def start(sender: str, to: list[str], subject: str = "Hej", text: str = "Hej med dig", **kwargs) -> Thread:
    ids = [profile_of(u, "employee") or profile_of(u, "guardian") for u in to]
    return actions.start_thread(
        viewer(sender),
        subject=subject,
        text=text,
        recipients=actions.Recipients(profile_ids=[p.id for p in ids]),
        **kwargs,
    )


def counted_get(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def html_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# --- Inbox ------------------------------------------------------------------------------------------------


def test_empty_inbox_says_what_to_do(client: Client) -> None:
    sign_in(client, "mette")
    html = html_of(client.get(INBOX))
    assert "Du har ingen beskeder endnu" in html
    assert f'href="{COMPOSE}"' in html
    assert 'aria-current="page">Beskeder' in html


def test_unread_thread_is_shown_with_badge_and_opening_marks_it_read(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Emil skal hentes tidligt")
    sign_in(client, "karin")
    html = html_of(client.get(INBOX))
    assert "Emil skal hentes tidligt" in html and "Mette Hansen" in html
    assert re.search(r'class="thread-row unread"', html)
    assert re.search(r'<span class="badge">1<span class="visually-hidden"> ulæste</span></span>', html)

    page = client.get(thread_url(thread.id))
    assert page.status_code == 200
    assert Subscription.objects.get(thread=thread, person__login__username="karin").is_read
    # The badge is counted after the thread was opened.
    assert 'class="badge"' not in html_of(page)


def test_inbox_pages_with_a_cursor_and_filters_unread(client: Client) -> None:
    karin = viewer("karin")
    threads = [start("mette", ["karin"], subject=f"Besked nummer {i:02d}") for i in range(25)]
    actions.open_thread(karin, threads[-1].id)
    sign_in(client, "karin")
    first = html_of(client.get(INBOX))
    assert "Besked nummer 24" in first and "Besked nummer 05" in first and "Besked nummer 04" not in first
    older = re.search(r'href="(/beskeder/\?cursor=[^"]+)">Ældre beskeder', first).group(1)
    second = html_of(client.get(older.replace("&amp;", "&")))
    assert "Besked nummer 04" in second and "Besked nummer 00" in second and "Besked nummer 05" not in second
    assert "Ældre beskeder" not in second and "Nyeste beskeder" in second

    unread = html_of(client.get(INBOX + "?unread=1"))
    assert "Besked nummer 24" not in unread and "Besked nummer 23" in unread
    assert client.get(INBOX + "?cursor=not-a-cursor").status_code == 404
    assert client.get(INBOX + "?cursor=2026-01-01T08:00:00_5").status_code == 404  # no offset: not made here


def test_inbox_pages_threads_of_the_same_moment_by_their_order_without_repeating_one(client: Client) -> None:
    threads = [start("mette", ["karin"], subject=f"Samtidig {i:02d}") for i in range(23)]
    moment = timezone.now() - timedelta(hours=1)
    Subscription.objects.filter(thread__in=threads).update(last_message_at=moment)
    sign_in(client, "karin")
    first = html_of(client.get(INBOX))
    older = re.search(r'href="(/beskeder/\?cursor=[^"]+)">Ældre beskeder', first).group(1)
    second = html_of(client.get(older.replace("&amp;", "&")))
    shown = re.findall(r"Samtidig \d\d", first) + re.findall(r"Samtidig \d\d", second)
    listed = sorted(set(shown), key=shown.index)
    assert len(re.findall(r"Samtidig \d\d", first)) == len(set(re.findall(r"Samtidig \d\d", first)))
    assert len(listed) == 23 and listed == [f"Samtidig {i:02d}" for i in reversed(range(23))]
    assert not set(re.findall(r"Samtidig \d\d", first)) & set(re.findall(r"Samtidig \d\d", second))


def test_a_guardians_inbox_pages_the_threads_of_all_her_profiles_newest_first(client: Client) -> None:
    mette = viewer("mette", "guardian")
    daycare, school = sorted(p.id for p in mette.profiles)[:2]  # Emil's daycare and Sofie's school
    start_at = timezone.now() - timedelta(days=1)
    for i in range(25):
        thread = start("karin", ["mette"], subject=f"Besked nummer {i:02d}")
        # Alternately to each of her profiles, newest first in an order the ids do not give.
        Subscription.objects.filter(thread=thread, person_id=mette.person_id).update(
            profile_id=school if i % 2 else daycare, last_message_at=start_at + timedelta(minutes=(i * 7) % 25)
        )
    newest_first = [
        f"Besked nummer {subject[-2:]}"
        for subject in Subscription.objects.filter(person_id=mette.person_id)
        .order_by("-last_message_at", "-id")
        .values_list("thread__subject", flat=True)
    ]
    sign_in(client, "mette", role="guardian")
    first = html_of(client.get(INBOX))
    older = re.search(r'href="(/beskeder/\?cursor=[^"]+)">Ældre beskeder', first).group(1)
    second = html_of(client.get(older.replace("&amp;", "&")))
    for page, subjects in ((first, newest_first[:20]), (second, newest_first[20:])):
        shown = re.findall(r"Besked nummer \d\d", page)
        assert sorted(set(shown), key=shown.index) == subjects
    assert "Ældre beskeder" not in second


def test_inbox_query_count_does_not_grow_with_threads(client: Client) -> None:
    for i in range(3):
        start("mette", ["karin"], subject=f"Tråd {i}")
    sign_in(client, "karin")
    counted_get(client, INBOX)  # the first request notes the session's last-seen time
    few = counted_get(client, INBOX)
    for i in range(37):
        start("mette", ["karin"], subject=f"Flere {i}")
    many = counted_get(client, INBOX)
    assert many == few
    with assert_max_queries(16):
        client.get(INBOX)


def test_sensitive_thread_shows_that_it_exists_but_not_its_content_until_step_up(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Om Emils helbred", text="Diagnosen", sensitive=False)
    Thread.objects.filter(pk=thread.pk).update(is_sensitive=True)
    sign_in(client, "karin")
    html = html_of(client.get(INBOX))
    assert "Følsom besked" in html
    assert "Om Emils helbred" not in html and "Diagnosen" not in html

    response = client.get(thread_url(thread.id))
    location = urlsplit(response["Location"])
    assert response.status_code == 302 and location.path == reverse("accounts:step_up")
    assert parse_qs(location.query) == {"next": [thread_url(thread.id)]}
    assert not Subscription.objects.get(thread=thread, person__login__username="karin").is_read

    client.logout()
    sign_in(client, "karin", level=3)
    assert "Om Emils helbred" in html_of(client.get(INBOX))
    before = AuditEntry.objects.filter(action="read_sensitive_thread").count()
    page = client.get(thread_url(thread.id))
    assert "Diagnosen" in html_of(page) and "no-cache" in page["Cache-Control"]
    assert AuditEntry.objects.filter(action="read_sensitive_thread").count() == before + 1


def test_trash_and_restore(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Til papirkurven")
    sign_in(client, "karin")
    response = client.post(reverse("messaging:state", args=[thread.id]), {"op": "trash"})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert "Til papirkurven" not in html_of(client.get(INBOX))
    trash = html_of(client.get(reverse("messaging:trash")))
    assert "Til papirkurven" in trash and 'value="restore"' in trash

    client.post(reverse("messaging:state", args=[thread.id]), {"op": "restore"})
    assert "Til papirkurven" in html_of(client.get(INBOX))
    assert "Papirkurven er tom" in html_of(client.get(reverse("messaging:trash")))

    # After 30 days the thread can no longer be restored.
    Subscription.objects.filter(thread=thread, person__login__username="karin").update(
        deleted_at=timezone.now() - timedelta(days=31)
    )
    assert "Kan ikke længere gendannes" in html_of(client.get(reverse("messaging:trash")))
    assert client.post(reverse("messaging:state", args=[thread.id]), {"op": "restore"}).status_code == 404


def test_staff_folders_create_move_and_view(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Til mappen")
    sign_in(client, "karin")
    response = client.post(reverse("messaging:create_folder"), {"name": "Forældresamtaler"})
    folder = Folder.objects.get(name="Forældresamtaler")
    assert response["Location"] == reverse("messaging:folder", args=[folder.id])
    assert "Mappen er tom" in html_of(client.get(response["Location"]))

    client.post(reverse("messaging:state", args=[thread.id]), {"op": "folder", "folder": folder.id})
    assert "Til mappen" in html_of(client.get(reverse("messaging:folder", args=[folder.id])))
    assert "Til mappen" not in html_of(client.get(INBOX))

    response = client.post(reverse("messaging:create_folder"), {"name": " "})
    assert response.status_code == 400
    assert re.search(r'id="id_name_error" role="alert">Giv mappen et navn', html_of(response))

    # Someone else's folder is not there.
    sign_in(client, "anders")
    assert client.get(reverse("messaging:folder", args=[folder.id])).status_code == 404


def test_guardians_have_no_folders(client: Client) -> None:
    sign_in(client, "mette")
    assert 'name="name"' not in html_of(client.get(INBOX))
    assert client.post(reverse("messaging:create_folder"), {"name": "Mine"}).status_code == 404
    assert client.get(reverse("messaging:auto_reply")).status_code == 404


def test_marked_muted_and_unread_are_shown(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Vigtig sag")
    sign_in(client, "karin")
    state = reverse("messaging:state", args=[thread.id])
    client.post(state, {"op": "mark"})
    client.post(state, {"op": "mute"})
    response = client.post(state, {"op": "unread"})
    assert response["Location"] == INBOX
    subscription = Subscription.objects.get(thread=thread, person__login__username="karin")
    assert subscription.marked and subscription.muted and not subscription.is_read
    html = html_of(client.get(INBOX))
    assert "Vigtig</span>" in html and "Lydløs</span>" in html and "Ulæst</span>" in html
    assert client.get(state).status_code == 302  # a stray GET changes nothing


# --- Thread -------------------------------------------------------------------------------------------


def test_thread_shows_senders_edited_and_deleted_and_the_reply_buttons(client: Client) -> None:
    thread = start("karin", ["mette", "anders"], subject="Til to")
    first = Message.objects.get(thread=thread)
    mette = viewer("mette")
    answer = actions.reply(mette, thread.id, "Første svar")
    actions.edit_message(mette, thread.id, answer.id, "Rettet svar")
    gone = actions.reply(mette, thread.id, "Skal slettes")
    actions.delete_message(mette, thread.id, gone.id)
    sign_in(client, "karin")
    html = html_of(client.get(thread_url(thread.id)))
    assert "Mette Hansen" in html and "Anders Holm" in html
    assert "Rettet svar" in html and "Rettet " in html
    assert "Skal slettes" not in html and "Beskeden er slettet." in html
    assert 'name="to" value="all"' in html
    assert "Svar kun afsender" not in html  # karin started it: "sender only" would be herself
    assert reverse("messaging:edit_message", args=[thread.id, first.id]) in html
    assert reverse("messaging:edit_message", args=[thread.id, answer.id]) not in html

    sign_in(client, "mette")
    html = html_of(client.get(thread_url(thread.id)))
    assert "Svar alle" in html and "Svar kun afsender (Karin Jensen)" in html
    assert reverse("messaging:edit_message", args=[thread.id, answer.id]) in html


def test_reply_to_all_and_reply_to_sender_only(client: Client, django_capture_on_commit_callbacks) -> None:
    thread = start("karin", ["mette", "anders"], subject="Til to")
    sign_in(client, "mette")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread_url(thread.id), {"text": "Til alle", "to": "all"})
    assert response.status_code == 302 and response["Location"].startswith(thread_url(thread.id) + "#message-")
    assert not Subscription.objects.get(thread=thread, person__login__username="anders").is_read

    response = client.post(thread_url(thread.id), {"text": "Kun til Karin", "to": "sender"})
    private = Thread.objects.get(reply_to=thread, reply_person__login__username="mette")
    assert response["Location"].startswith(thread_url(private.id))
    people = set(Subscription.objects.filter(thread=private).values_list("person__login__username", flat=True))
    assert people == {"karin", "mette"}
    assert not Message.objects.filter(thread=thread, text__contains="Kun til Karin").exists()


def test_broadcast_recipient_answers_privately_and_is_told_so(client: Client) -> None:
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    thread = actions.start_thread(
        viewer("thomas"),
        subject="Lukket fredag",
        text="Institutionerne holder lukket.",
        recipients=actions.Recipients(groups=[(everyone.id, "")]),
    )
    sign_in(client, "mette")
    html = html_of(client.get(thread_url(thread.id)))
    assert "kun Thomas Friis, der får dit svar" in html
    assert "Jonas Hansen" not in html  # the other recipients are not listed
    assert reverse("messaging:add_recipients", args=[thread.id]) not in html
    response = client.post(thread_url(thread.id), {"text": "Tak for besked"})
    private = Thread.objects.get(reply_to=thread, reply_person__login__username="mette")
    assert response["Location"].startswith(thread_url(private.id))
    assert Message.objects.filter(thread=thread).count() == 1


def test_thread_query_count_does_not_grow_with_messages_or_participants(client: Client) -> None:
    thread = start("karin", ["mette"], subject="Samtale")
    sign_in(client, "karin")
    url = thread_url(thread.id)
    counted_get(client, url)
    few = counted_get(client, url)
    mette, anders = viewer("mette"), viewer("anders")
    actions.add_recipients(
        viewer("karin"),
        thread.id,
        actions.Recipients(profile_ids=[profile_of("anders").id, profile_of("jonas", "guardian").id]),
    )
    actions.add_recipients(
        viewer("karin"), thread.id, actions.Recipients(groups=[(Group.objects.get(name="Blå stue").id, "guardian")])
    )
    for i in range(15):
        actions.reply(mette if i % 2 else anders, thread.id, f"Svar {i}")
    actions.open_thread(viewer("karin"), thread.id)
    many = counted_get(client, url)
    assert Subscription.objects.filter(thread=thread).count() > 4
    assert many == few
    with assert_max_queries(18):
        client.get(url)


def test_read_status_for_staff_unless_the_institution_switches_it_off(client: Client) -> None:
    thread = start("karin", ["mette"], subject="Læst?")
    actions.open_thread(viewer("mette"), thread.id)
    sign_in(client, "karin")
    html = html_of(client.get(thread_url(thread.id)))
    assert "Hvem har læst tråden" in html and re.search(r"Mette Hansen: læst", html)

    Institution.objects.filter(name="Børnehuset Katamaranen").update(show_message_read_status=False)
    assert "Hvem har læst tråden" not in html_of(client.get(thread_url(thread.id)))
    sign_in(client, "mette")
    assert "Hvem har læst tråden" not in html_of(client.get(thread_url(thread.id)))


def test_a_non_participant_gets_404_everywhere(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Privat")
    message = Message.objects.get(thread=thread)
    sign_in(client, "jonas")
    for url in (
        thread_url(thread.id),
        reverse("messaging:forward", args=[thread.id]),
        reverse("messaging:add_recipients", args=[thread.id]),
        reverse("messaging:leave", args=[thread.id]),
        reverse("messaging:edit_message", args=[thread.id, message.id]),
        reverse("messaging:delete_message", args=[thread.id, message.id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(thread_url(thread.id), {"text": "Hej"}).status_code == 404
    assert client.post(reverse("messaging:state", args=[thread.id]), {"op": "mark"}).status_code == 404
    assert Message.objects.filter(thread=thread).count() == 1


def test_edit_and_delete_own_message(client: Client) -> None:
    thread = start("mette", ["karin"], subject="Ret mig")
    message = Message.objects.get(thread=thread)
    sign_in(client, "mette")
    edit = reverse("messaging:edit_message", args=[thread.id, message.id])
    assert "Hej med dig</textarea>" in html_of(client.get(edit))
    assert client.post(edit, {"text": ""}).status_code == 400
    client.post(edit, {"text": "Ny tekst\n\nAnden linje"})
    message.refresh_from_db()
    assert message.text == "<p>Ny tekst</p><p>Anden linje</p>" and message.edited_at

    # Karin cannot edit mette's message.
    sign_in(client, "karin")
    assert client.get(edit).status_code == 404

    sign_in(client, "mette")
    delete = reverse("messaging:delete_message", args=[thread.id, message.id])
    assert "Slet din besked?" in html_of(client.get(delete))
    client.post(delete)
    message.refresh_from_db()
    assert message.deleted_at and message.text == ""


def test_leave_thread(client: Client) -> None:
    thread = start("karin", ["mette", "anders"], subject="Farvel")
    sign_in(client, "anders")
    leave = reverse("messaging:leave", args=[thread.id])
    assert "Forlad tråden “Farvel”?" in html_of(client.get(leave))
    assert client.post(leave)["Location"] == INBOX
    assert client.get(thread_url(thread.id)).status_code == 404
    sign_in(client, "karin")
    assert "Anders Holm har forladt tråden" in html_of(client.get(thread_url(thread.id)))


def test_add_recipients_and_forward(client: Client) -> None:
    thread = start("karin", ["mette"], subject="Udflugt")
    anders = profile_of("anders")
    sign_in(client, "karin")
    add = reverse("messaging:add_recipients", args=[thread.id])
    response = client.post(add, {"action": "search", "q": "Anders"})
    assert f'value="profile:{anders.id}"' in html_of(response)
    response = client.post(add, {"action": "send", "recipient": f"profile:{anders.id}"})
    assert response.status_code == 302
    assert Subscription.objects.filter(thread=thread, person__login__username="anders").exists()
    assert "Karin Jensen tilføjede modtagere" in html_of(client.get(thread_url(thread.id)))

    forward = reverse("messaging:forward", args=[thread.id])
    assert client.post(forward, {"action": "send"}).status_code == 400
    response = client.post(forward, {"action": "send", "recipient": f"profile:{anders.id}", "text": "Til orientering"})
    forwarded = Thread.objects.get(subject="Vs: Udflugt")
    assert response["Location"] == thread_url(forwarded.id)
    text = Message.objects.get(thread=forwarded).text
    assert "Til orientering" in text and "<blockquote>" in text


# --- Compose ---------------------------------------------------------------------------------------


def test_compose_without_javascript_find_choose_and_send(client: Client, django_capture_on_commit_callbacks) -> None:
    karin = profile_of("karin")
    sign_in(client, "mette")
    html = html_of(client.get(COMPOSE))
    assert 'src="/static/kinabog/recipients.js"' in html and "<script>" not in html
    found = client.post(COMPOSE, {"action": "search", "q": "Karin", "subject": "Hentning"})
    html = html_of(found)
    assert found.status_code == 200
    assert f'<input type="checkbox" name="recipient" value="profile:{karin.id}" id="r-profile-{karin.id}" >' in html
    assert 'value="Hentning"' in html  # what was typed is kept

    # Choose her, then search again: she stays chosen (ticked) while the new matches are listed.
    again = client.post(COMPOSE, {"action": "search", "q": "Blå", "recipient": f"profile:{karin.id}"})
    html = html_of(again)
    assert f'value="profile:{karin.id}" id="r-profile-{karin.id}" checked' in html
    blue = Group.objects.get(name="Blå stue")
    assert f'value="group:{blue.id}"' in html and f'name="role-{blue.id}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            COMPOSE,
            {
                "action": "send",
                "recipient": f"profile:{karin.id}",
                "subject": "Hentning",
                "text": "Emil hentes kl. 14\n\nHilsen Mette",
            },
        )
    thread = Thread.objects.get(subject="Hentning")
    assert sent.status_code == 302 and sent["Location"] == thread_url(thread.id)
    assert Message.objects.get(thread=thread).text == "<p>Emil hentes kl. 14</p><p>Hilsen Mette</p>"
    assert Subscription.objects.filter(thread=thread, person__login__username="karin", is_read=False).exists()


def test_compose_to_a_group_with_a_role_filter(client: Client) -> None:
    blue = Group.objects.get(name="Blå stue")
    sign_in(client, "karin")
    client.post(
        COMPOSE,
        {
            "action": "send",
            "recipient": f"group:{blue.id}",
            f"role-{blue.id}": "guardian",
            "subject": "Madpakker",
            "text": "Husk madpakker",
        },
    )
    thread = Thread.objects.get(subject="Madpakker")
    people = set(Subscription.objects.filter(thread=thread).values_list("profile__role", flat=True))
    assert people == {"guardian", "employee"}  # the guardians, and karin herself
    assert Subscription.objects.filter(thread=thread, person__login__username="mette").exists()


def nothing_stored() -> tuple[int, int, int]:
    return Thread.objects.count(), Message.objects.count(), Subscription.objects.count()


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"subject": "", "text": "x"}, "id_subject_error", "Skriv et emne."),
        ({"subject": "Hej", "text": "  "}, "id_text_error", "Skriv en besked."),
        ({"subject": "Hej", "text": "x", "recipient": []}, "recipients-error", "Vælg mindst én modtager."),
        ({"subject": "Hej", "text": "x", "recipient": "profile:OLE"}, "recipients-error", "Du kan ikke skrive til"),
        ({"subject": "Hej", "text": "x", "recipient": "group:999999"}, "recipients-error", "Du kan ikke skrive til"),
    ],
    ids=["subject", "text", "no-recipient", "unreachable", "unknown-group"],
)
def test_bad_input_is_shown_next_to_the_field_and_stores_nothing(
    client: Client, data: dict, field_id: str, message: str
) -> None:
    data = {"action": "send", "recipient": f"profile:{profile_of('karin').id}", **data}
    if data["recipient"] == "profile:OLE":
        data["recipient"] = f"profile:{profile_of('ole').id}"
    sign_in(client, "mette")
    before = nothing_stored()
    response = client.post(COMPOSE, data)
    html = html_of(response)
    assert response.status_code == 400
    assert re.search(rf'id="{field_id}" role="alert">{re.escape(message)}', html), html[:3000]
    assert 'class="form-error" role="alert"' in html
    assert nothing_stored() == before


def test_blocked_channel_is_refused_and_not_offered(client: Client) -> None:
    karin = profile_of("karin")
    mette = Person.objects.get(login__username="mette")
    municipality = InstitutionProfile.objects.filter(person=mette).first().institution.municipality
    CommunicationBlock.objects.create(municipality=municipality, from_role="guardian", to_role="employee")
    sign_in(client, "mette")
    found = html_of(client.post(COMPOSE, {"action": "search", "q": "Karin"}))
    assert f"profile:{karin.id}" not in found and "Ingen fundet" in found
    before = nothing_stored()
    response = client.post(
        COMPOSE, {"action": "send", "recipient": f"profile:{karin.id}", "subject": "Hej", "text": "x"}
    )
    assert response.status_code == 400 and 'id="recipients-error"' in html_of(response)
    assert nothing_stored() == before


def test_sensitive_at_level_2_sends_to_step_up_and_stores_nothing(client: Client) -> None:
    karin = profile_of("karin")
    sign_in(client, "mette")
    html = html_of(client.get(COMPOSE))
    assert "bekræft nu, før du skriver" in html
    before = nothing_stored()
    data = {"action": "send", "recipient": f"profile:{karin.id}", "subject": "Helbred", "text": "x", "sensitive": "on"}
    response = client.post(COMPOSE, data)
    assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("accounts:step_up")
    assert nothing_stored() == before

    sign_in(client, "mette", level=3)
    assert "bekræft nu" not in html_of(client.get(COMPOSE + "?sensitive=1"))
    response = client.post(COMPOSE, data)
    assert response.status_code == 302
    assert Thread.objects.get(subject="Helbred").is_sensitive


def test_recipient_search_json(client: Client) -> None:
    sign_in(client, "mette")
    response = client.get(reverse("messaging:recipient_search"), {"q": "Kar"})
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    karin = profile_of("karin")
    assert {"value": f"profile:{karin.id}", "kind": "profile", "id": karin.id} | {
        "label": "Karin Jensen",
        "detail": "Medarbejder, Børnehuset Katamaranen",
    } in results
    assert client.get(reverse("messaging:recipient_search"), {"q": "K"}).json() == {"results": []}
    client.logout()
    assert client.get(reverse("messaging:recipient_search"), {"q": "Kar"}).status_code == 302


def test_a_protected_person_is_found_and_shown_by_alias_only(client: Client) -> None:
    # Anders leads Kahytten, where Ida is; without the permission to see protected names he sees aliases.
    kahytten = Institution.objects.get(name="Børnehaven Kahytten")
    RolePermission.objects.create(
        institution=kahytten, role_key="employee:leader", permission=Permission.SEE_PROTECTED_NAMES, granted=False
    )
    sign_in(client, "anders")
    sara = profile_of("sara", "guardian")
    real = client.get(reverse("messaging:recipient_search"), {"q": "Sara Kristensen"}).json()["results"]
    alias = client.get(reverse("messaging:recipient_search"), {"q": "til Lærke"}).json()["results"]
    assert all(r["value"] != f"profile:{sara.id}" for r in real)
    assert any(r["value"] == f"profile:{sara.id}" and "Sara" not in r["label"] for r in alias)


# --- Common inbox and auto-reply --------------------------------------------------------------------


def test_common_inbox_members_read_and_answer_and_the_answer_shows_who(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    katamaranen = Institution.objects.get(name="Børnehuset Katamaranen")
    office = CommonInbox.objects.create(institution=katamaranen, name="Kontoret Katamaranen")
    office.members.add(profile_of("karin"))
    sign_in(client, "mette")
    client.post(
        COMPOSE,
        {
            "action": "send",
            "recipient": f"common_inbox:{office.id}",
            "subject": "Ferie i uge 42",
            "text": "Emil holder fri",
        },
    )
    thread = Thread.objects.get(subject="Ferie i uge 42")

    sign_in(client, "karin")
    inbox_html = html_of(client.get(INBOX))
    assert reverse("messaging:common_inbox", args=[office.id]) in inbox_html
    office_url = reverse("messaging:common_inbox", args=[office.id])
    assert "Ferie i uge 42" in html_of(client.get(office_url))
    thread_in_office = reverse("messaging:common_inbox_thread", args=[office.id, thread.id])
    assert "Emil holder fri" in html_of(client.get(thread_in_office))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(thread_in_office, {"text": "God ferie"})

    sign_in(client, "mette")
    html = html_of(client.get(thread_url(thread.id)))
    assert "Kontoret Katamaranen" in html and "svaret af Karin Jensen" in html

    # Folders of the common inbox.
    sign_in(client, "karin")
    client.post(reverse("messaging:common_inbox_create_folder", args=[office.id]), {"name": "Ferie"})
    folder = Folder.objects.get(common_inbox=office, name="Ferie")
    client.post(
        reverse("messaging:common_inbox_state", args=[office.id, thread.id]), {"op": "folder", "folder": folder.id}
    )
    assert "Ferie i uge 42" in html_of(
        client.get(reverse("messaging:common_inbox_folder", args=[office.id, folder.id]))
    )
    # Not a member: 404.
    sign_in(client, "anders")
    assert client.get(office_url).status_code == 404
    assert client.get(thread_in_office).status_code == 404


def test_auto_reply_page(client: Client, django_capture_on_commit_callbacks) -> None:
    sign_in(client, "karin")
    url = reverse("messaging:auto_reply")
    assert "Du har intet autosvar" in html_of(client.get(url))
    now = timezone.localtime()
    bad = client.post(
        url,
        {
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "text": "Ferie",
        },
    )
    assert bad.status_code == 400 and 'id="id_ends_at_error"' in html_of(bad)
    client.post(
        url,
        {
            "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "text": "Jeg holder ferie til mandag.",
        },
    )
    assert AutoReply.objects.filter(profile=profile_of("karin")).exists()
    with django_capture_on_commit_callbacks(execute=True):
        thread = start("mette", ["karin"], subject="Er du der?")
    assert Message.objects.filter(thread=thread, kind="auto_reply").count() == 1
    client.post(url, {"action": "clear"})
    assert not AutoReply.objects.exists()


def test_recipients_cannot_be_added_to_a_broadcast(client: Client) -> None:
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    thread = actions.start_thread(
        viewer("thomas"),
        subject="Til alle",
        text="Lukket fredag",
        recipients=actions.Recipients(groups=[(everyone.id, "")]),
    )
    sign_in(client, "thomas")
    assert reverse("messaging:add_recipients", args=[thread.id]) not in html_of(client.get(thread_url(thread.id)))
    blue = Group.objects.get(name="Blå stue")
    response = client.post(
        reverse("messaging:add_recipients", args=[thread.id]), {"action": "send", "recipient": f"group:{blue.id}"}
    )
    assert response.status_code == 403
    assert "Der kan ikke tilføjes modtagere til en besked til en hel gruppe." in html_of(response)


def test_thomas_broadcasts_to_all_guardians_through_the_page_and_answers_reach_only_him(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    everyone = Group.objects.get(name="Alle forældre i Havnby Kommune")
    sign_in(client, "thomas")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            COMPOSE,
            {
                "action": "send",
                "recipient": f"group:{everyone.id}",
                f"role-{everyone.id}": "",
                "subject": "Lukket fredag",
                "text": "Alle institutioner holder lukket fredag.",
            },
        )
    assert response.status_code == 302
    thread = Thread.objects.get(subject="Lukket fredag")
    receivers = Subscription.objects.filter(thread=thread).exclude(person__login__username="thomas")
    persons = list(receivers.values_list("person_id", flat=True))
    assert len(persons) == len(set(persons)) > 10  # each guardian exactly once
    assert set(receivers.values_list("profile__role", flat=True)) == {"guardian"}
    for username in ["mette", "jonas", "sara", "lars", "birgitte"]:
        client.logout()
        sign_in(client, username, role="guardian")
        assert "Lukket fredag" in html_of(client.get(reverse("messaging:inbox")))
        client.post(thread_url(thread.id), {"text": f"Tak fra {username}"})
    # Every answer went to a private thread with thomas; the broadcast holds only his message.
    assert Message.objects.filter(thread=thread).count() == 1
    for private in Thread.objects.filter(reply_to=thread):
        people = set(Subscription.objects.filter(thread=private).values_list("person__login__username", flat=True))
        assert people == {"thomas", private.reply_person.login.username}
    client.logout()
    sign_in(client, "jonas", role="guardian")
    mette_answer = Thread.objects.get(reply_to=thread, reply_person__login__username="mette")
    assert client.get(thread_url(mette_answer.id)).status_code == 404


def test_anders_sets_up_a_common_inbox_and_mette_writes_to_it(client: Client) -> None:
    katamaranen = Institution.objects.get(name="Børnehuset Katamaranen")
    admin_url = reverse("messaging:common_inbox_admin")
    sign_in(client, "anders")
    assert client.post(admin_url, {"action": "create", "institution": katamaranen.id, "name": " "}).status_code == 400
    assert (
        client.post(admin_url, {"action": "create", "institution": katamaranen.id, "name": "Køkkenet"}).status_code
        == 302
    )
    kitchen = CommonInbox.objects.get(name="Køkkenet")
    karin = profile_of("karin")
    client.post(admin_url, {"action": "add", "inbox": kitchen.id, "profile": karin.id})
    # A guardian's profile is no staff member.
    bad = client.post(admin_url, {"action": "add", "inbox": kitchen.id, "profile": profile_of("mette", "guardian").id})
    assert bad.status_code == 400
    assert list(kitchen.members.values_list("person__login__username", flat=True)) == ["karin"]
    # Mette writes to the kitchen; karin reads it in the common inbox and answers on its behalf.
    thread = actions.start_thread(
        viewer("mette"),
        subject="Allergi",
        text="Emil tåler ikke nødder.",
        recipients=actions.Recipients(common_inbox_ids=[kitchen.id]),
    )
    client.logout()
    sign_in(client, "karin")
    assert "Allergi" in html_of(client.get(reverse("messaging:common_inbox", args=[kitchen.id])))
    actions.reply_from_common_inbox(viewer("karin"), kitchen.id, thread.id, "Tak, vi har noteret det.")
    assert Message.objects.filter(thread=thread, sender_inbox=kitchen, sender=karin).exists()


@pytest.mark.parametrize("username", ["karin", "mette", "ole"])
def test_common_inbox_admin_is_for_the_institutions_administrators(client: Client, username: str) -> None:
    office = CommonInbox.objects.get(name="Kontoret, Katamaranen")
    sign_in(client, username)
    url = reverse("messaging:common_inbox_admin")
    members_before = set(office.members.values_list("id", flat=True))
    response = client.post(url, {"action": "remove", "inbox": office.id, "profile": profile_of("karin").id})
    assert response.status_code == 404
    assert set(office.members.values_list("id", flat=True)) == members_before

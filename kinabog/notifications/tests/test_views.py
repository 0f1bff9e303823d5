"""The notification pages: list with deep links, marking as seen, settings, empty state, query budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions as messaging
from kinabog.messaging.models import Thread
from kinabog.notifications import actions
from kinabog.notifications.models import Notification, NotificationSetting

pytestmark = pytest.mark.django_db


def viewer(username: str, level: int = 2):  # type: ignore[no-untyped-def]
    return build_viewer(Person.objects.get(login__username=username).login_id, None, level)


def write(subject: str, *, sensitive: bool = False) -> Thread:
    """Mette writes to karin, and karin is notified."""
    karin = InstitutionProfile.objects.get(person__login__username="karin")
    thread = messaging.start_thread(
        viewer("mette", level=3 if sensitive else 2),
        subject=subject,
        text="<p>Emil bliver hentet kl. 14.</p>",
        recipients=messaging.Recipients(profile_ids=[karin.id]),
        sensitive=sensitive,
    )
    actions.notify_new_message(thread.last_message_id)
    return thread


def page_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_karin_sees_her_notifications_with_deep_links(client):
    thread = write("Emil skal hentes")
    write("Emils helbred", sensitive=True)
    sign_in(client, "karin")
    with assert_max_queries(14):
        html = client.get(reverse("notifications:list")).content.decode()
    note = Notification.objects.get(thread_id=thread.id)
    assert "Emil skal hentes" in html and "Mette Hansen" in html
    assert reverse("notifications:open", args=[note.id]) in html
    assert "helbred" not in html  # a sensitive notification shows no subject

    response = client.get(reverse("notifications:open", args=[note.id]))
    assert response.status_code == 302 and response["Location"] == reverse("messaging:thread", args=[thread.id])
    note.refresh_from_db()
    assert note.seen_at is not None


def test_an_empty_list_says_so(client):
    sign_in(client, "jonas")
    html = client.get(reverse("notifications:list")).content.decode()
    assert 'class="empty"' in html


def test_someone_elses_notification_answers_404(client):
    thread = write("Emil skal hentes")
    note = Notification.objects.get(thread_id=thread.id)
    sign_in(client, "jonas")
    assert client.get(reverse("notifications:open", args=[note.id])).status_code == 404
    assert client.post(reverse("notifications:mark_seen"), {"notification": note.id}).status_code == 404
    note.refresh_from_db()
    assert note.seen_at is None


def test_mark_one_and_all_as_seen(client):
    first, second = write("Første"), write("Anden")
    sign_in(client, "karin")
    one = Notification.objects.get(thread_id=first.id)
    assert client.post(reverse("notifications:mark_seen"), {"notification": one.id}).status_code == 302
    assert set(Notification.objects.filter(seen_at__isnull=True).values_list("thread_id", flat=True)) == {second.id}
    assert client.get(reverse("notifications:mark_seen")).status_code == 405
    client.post(reverse("notifications:mark_seen"))
    assert not Notification.objects.filter(seen_at__isnull=True).exists()


def test_list_query_count_does_not_grow_with_notifications(client):
    write("Første")
    sign_in(client, "karin")
    url = reverse("notifications:list")
    page_queries(client, url)  # the first request writes the session's last-seen time
    before = page_queries(client, url)
    for i in range(25):
        write(f"Besked {i}")
    assert page_queries(client, url) == before
    assert "?side=2" in client.get(url).content.decode()


def test_settings_choose_delivery_per_area(client):
    sign_in(client, "karin")
    url = reverse("notifications:settings")
    html = client.get(url).content.decode()
    assert 'name="Messages"' in html and 'name="Calendar"' in html
    data = dict.fromkeys(("Calendar", "Posts", "Presence", "Gallery", "Documents"), "digest")
    assert client.post(url, {**data, "Messages": "instant"}).status_code == 302
    karin = Person.objects.get(login__username="karin")
    assert NotificationSetting.objects.get(person=karin, area="Messages").delivery == "instant"
    response = client.post(url, {**data, "Messages": "pigeon"})
    assert response.status_code == 400
    assert NotificationSetting.objects.get(person=karin, area="Messages").delivery == "instant"


def test_pages_need_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "login" in response["Location"]

"""E-mail about new posts through the notification foundation: instant for those who chose it, the
daily digest for the rest; title, institution and a link only — never the post's text or author."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.core.testing import sign_in
from kinabog.institutions.models import Group, Person
from kinabog.institutions.queries import build_viewer
from kinabog.notifications import actions as notifications
from kinabog.notifications import tasks
from kinabog.notifications.models import Notification
from kinabog.posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://kinabog.havnby.example"


def choose(username: str, delivery: str, area: str = "Posts") -> None:
    person = Person.objects.get(login__username=username)
    notifications.set_delivery(build_viewer(person.login_id, None, 2), {area: delivery})


def share(client: Client, django_capture_on_commit_callbacks, title: str = "Tur i skoven") -> Post:  # type: ignore[no-untyped-def]
    sign_in(client, "karin", role="employee")
    data = {
        "title": title,
        "content": "Husk gummistøvler til Emil og de andre.",
        "targets": [f"g:{Group.objects.get(name='Blå stue').id}"],
        "roles": ["guardian", "employee"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("posts:new"), data).status_code == 302
    return Post.objects.get(title=title)


def test_instant_email_goes_only_to_those_who_chose_it(client: Client, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    choose("mette", "instant")
    choose("anders", "off")
    choose("mette", "digest", area="Messages")  # a setting for another area changes nothing here
    post = share(client, django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == ["mette@example.org"]
    assert mail.subject == "Nyt opslag i Kinabog"
    assert "Tur i skoven" in mail.body and "Børnehuset Katamaranen" in mail.body
    assert f"https://kinabog.havnby.example/opslag/{post.id}/" in mail.body
    assert "gummistøvler" not in mail.body and "Karin" not in mail.body  # never the text or the author
    assert Notification.objects.get(dedupe_key=f"post:{post.id}", person__login__username="mette").emailed_at
    # Jonas (the default: once a day) hears about it in the digest; mette is not told twice; anders not at all.
    assert tasks.send_daily_digests() >= 1
    digests = {tuple(m.to): m for m in mailoutbox[1:]}
    assert ("mette@example.org",) not in digests and ("anders@havnby.example",) not in digests
    digest = digests[("jonas@example.org",)]
    assert "Opslag fra Børnehuset Katamaranen: Tur i skoven" in digest.body
    assert f"https://kinabog.havnby.example/opslag/{post.id}/" in digest.body
    assert "gummistøvler" not in digest.body
    assert tasks.send_daily_digests() == 0


def test_no_instant_email_without_the_setting(client: Client, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    choose("mette", "instant", area="Messages")  # instant for messages only
    share(client, django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_a_retried_fan_out_emails_nobody_twice(client: Client, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    choose("mette", "instant")
    post = share(client, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert notifications.notify_new_post(post.id) == 0
    assert tasks.send_instant_emails(f"post:{post.id}") == 0
    assert len(mailoutbox) == 1

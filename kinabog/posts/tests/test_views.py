"""Opslag through HTTP: writing, the feed on the overview, comments, reports and moderation, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.models import Group, Institution
from kinabog.notifications.models import Notification
from kinabog.posts import actions, queries
from kinabog.posts.models import Comment, Moderation, Post, Report

pytestmark = pytest.mark.django_db

OVERVIEW = "/"


def viewer(username: str, role: str = "employee"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.get(username=username)
    return institution_queries.build_viewer(user.pk, role, 2)


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def post_via_http(client: Client, username: str, group_name: str, title: str, **extra: object) -> Post:
    sign_in(client, username, role="employee")
    data = {
        "title": title,
        "content": "Husk tøj til alt slags vejr.\n\nVi ses!",
        "targets": [f"g:{group(group_name).id}"],
        "roles": ["guardian", "employee"],
        "allow_comments": "on",
        **extra,
    }
    response = client.post(reverse("posts:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Post.objects.get(title=title)


@pytest.fixture
def two_posts(client: Client) -> tuple[Post, Post]:
    karins = post_via_http(client, "karin", "Blå stue", "Tur i skoven fredag")
    birgittes = post_via_http(client, "birgitte", "3.B", "Klassens time flyttes")
    return karins, birgittes


def overview_html(client: Client, username: str, role: str | None = None) -> str:
    sign_in(client, username, role=role)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    return response.content.decode()


def test_mette_sees_karins_and_birgittes_posts_on_her_overview(client: Client, two_posts: tuple[Post, Post]) -> None:
    html = overview_html(client, "mette", "guardian")
    assert "Tur i skoven fredag" in html and "Klassens time flyttes" in html
    assert html.index("Klassens time flyttes") < html.index("Tur i skoven fredag")  # newest first
    karins = two_posts[0]
    assert "<p>Husk tøj til alt slags vejr.</p>" in karins.content
    detail = client.get(reverse("posts:post", args=[karins.id]))
    assert detail.status_code == 200 and "Karin" in detail.content.decode()


@pytest.mark.parametrize(
    ("username", "role", "sees_blaa", "sees_3b"),
    [
        ("mette", "guardian", True, True),
        ("jonas", "guardian", True, True),
        ("peter", "guardian", False, False),
        ("lars", "guardian", False, False),
        ("hanne", "employee", False, False),
        ("thomas", "employee", False, False),
        ("ole", "employee", False, True),
        ("karin", "employee", True, False),
        ("anders", "employee", True, False),
        ("birgitte", "employee", False, True),
    ],
)
def test_access_matrix(
    client: Client, two_posts: tuple[Post, Post], username: str, role: str, sees_blaa: bool, sees_3b: bool
) -> None:
    karins, birgittes = two_posts
    html = overview_html(client, username, role)
    assert ("Tur i skoven fredag" in html) is sees_blaa
    assert ("Klassens time flyttes" in html) is sees_3b
    for post, sees in ((karins, sees_blaa), (birgittes, sees_3b)):
        response = client.get(reverse("posts:post", args=[post.id]))
        assert response.status_code == (200 if sees else 404)


def test_writing_needs_permission_or_a_group_that_lets_members_post(client: Client) -> None:
    sign_in(client, "peter", role="guardian")
    assert client.get(reverse("posts:new")).status_code == 404
    sign_in(client, "karin", role="employee")
    response = client.post(
        reverse("posts:new"),
        {"title": "Forkert", "content": "x", "targets": [f"g:{group('3.B').id}"], "roles": ["guardian"]},
    )
    assert response.status_code == 400
    assert not Post.objects.filter(title="Forkert").exists()


def test_new_post_notifies_the_guardians_and_staff_once(client: Client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        post = post_via_http(client, "karin", "Blå stue", "Tur i skoven fredag")
    rows = Notification.objects.filter(dedupe_key=f"post:{post.id}")
    people = set(rows.values_list("person__login__username", flat=True))
    assert {"mette", "jonas"} <= people
    assert "karin" not in people and "peter" not in people and "birgitte" not in people
    assert rows.filter(area="Posts", event_type="PostSharedWithMe").count() == rows.count()
    from kinabog.notifications.actions import notify_new_post

    assert notify_new_post(post.id) == 0  # safe to run twice


def test_comments_refused_when_the_post_forbids_them(client: Client) -> None:
    sign_in(client, "karin", role="employee")
    data = {"title": "Ingen snak", "content": "Info", "targets": [f"g:{group('Blå stue').id}"], "roles": ["guardian"]}
    assert client.post(reverse("posts:new"), data).status_code == 302
    post = Post.objects.get(title="Ingen snak")
    assert post.allow_comments is False
    sign_in(client, "mette", role="guardian")
    response = client.post(reverse("posts:post", args=[post.id]), {"text": "Må jeg spørge?"})
    assert response.status_code == 403
    assert not Comment.objects.filter(post=post).exists()


def test_edit_and_delete_own_comment_and_staff_delete_in_their_group(client: Client, two_posts) -> None:  # type: ignore[no-untyped-def]
    karins = two_posts[0]
    sign_in(client, "mette", role="guardian")
    assert client.post(reverse("posts:post", args=[karins.id]), {"text": "Dejligt!"}).status_code == 302
    comment = Comment.objects.get(post=karins)
    edit = reverse("posts:edit_comment", args=[karins.id, comment.id])
    assert client.post(edit, {"text": "Dejligt, vi glæder os!"}).status_code == 302
    comment.refresh_from_db()
    assert "glæder" in comment.text and comment.edited_at is not None
    sign_in(client, "jonas", role="guardian")
    assert client.post(edit, {"text": "Hack"}).status_code == 404
    assert client.post(reverse("posts:delete_comment", args=[karins.id, comment.id])).status_code == 404
    sign_in(client, "karin", role="employee")
    assert client.post(reverse("posts:delete_comment", args=[karins.id, comment.id])).status_code == 302
    comment.refresh_from_db()
    assert comment.deleted_at is not None


def test_reported_comment_removed_by_anders_disappears_for_mette(  # type: ignore[no-untyped-def]
    client: Client, two_posts, django_capture_on_commit_callbacks
) -> None:
    karins = two_posts[0]
    sign_in(client, "jonas", role="guardian")
    client.post(reverse("posts:post", args=[karins.id]), {"text": "Noget grimt om et andet barn"})
    comment = Comment.objects.get(post=karins)
    sign_in(client, "mette", role="guardian")
    report_url = reverse("posts:report_comment", args=[karins.id, comment.id])
    page = client.get(report_url).content.decode()
    assert "respekt" in page or "respect" in page  # the communication principles are shown
    assert client.post(report_url, {"reason": "Det handler om et enkelt barn"}).status_code == 302
    report = Report.objects.get(comment=comment)

    sign_in(client, "karin", role="employee")
    assert client.get(reverse("posts:moderation")).status_code == 404  # not an administrator
    sign_in(client, "anders", role="employee")
    queue = client.get(reverse("posts:moderation")).content.decode()
    assert "Noget grimt om et andet barn" in queue and "Det handler om et enkelt barn" in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("posts:decide", args=[report.id]), {"decision": "remove", "note": "Skriv til personalet i stedet."}
        )
    assert response.status_code == 302
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.moderation == Moderation.REMOVED and report.status == "removed"
    actions_done = set(
        AuditEntry.objects.filter(object_type__in=["posts.report", "posts.comment"]).values_list("action", flat=True)
    )
    assert {"report.create", "comment.removed", "report.removed"} <= actions_done
    assert Notification.objects.filter(dedupe_key=f"report:{report.id}", person__login__username="jonas").exists()
    # Gone for mette and the author; still visible, marked, to the moderator.
    for username in ("mette", "jonas"):
        sign_in(client, username, role="guardian")
        assert "Noget grimt" not in client.get(reverse("posts:post", args=[karins.id])).content.decode()
        assert client.get(report_url).status_code == 404
    sign_in(client, "anders", role="employee")
    assert "Noget grimt" in client.get(reverse("posts:post", args=[karins.id])).content.decode()


def test_removed_post_leaves_the_feed(client: Client, two_posts) -> None:  # type: ignore[no-untyped-def]
    karins = two_posts[0]
    report = actions.report(viewer("mette", "guardian"), karins.id, "Forkert gruppe")
    actions.handle_report(viewer("anders"), report.id, "hide", "")
    assert "Tur i skoven fredag" not in overview_html(client, "mette", "guardian")
    assert client.get(reverse("posts:post", args=[karins.id])).status_code == 404


def test_important_post_stays_on_top(client: Client, two_posts) -> None:  # type: ignore[no-untyped-def]
    until = (timezone.localdate() + timedelta(days=3)).isoformat()
    Post.objects.filter(pk=two_posts[0].pk).update(is_important=True, important_until=timezone.localdate())
    html = overview_html(client, "mette", "guardian")
    assert html.index("Tur i skoven fredag") < html.index("Klassens time flyttes")
    sign_in(client, "karin", role="employee")
    data = {"title": "Lus", "content": "Tjek hår", "targets": [f"g:{group('Blå stue').id}"], "roles": ["guardian"]}
    client.post(reverse("posts:new"), {**data, "important_until": until})
    assert Post.objects.get(title="Lus").is_important


def _make_posts(count: int, start: int = 0) -> None:
    karin = viewer("karin")
    blaa = group("Blå stue")
    institution = Institution.objects.get(pk=blaa.institution_id)
    extra = [
        Group.objects.create(
            municipality_id=blaa.municipality_id, institution=institution, name=f"Ekstra {i}", kind="institution"
        )
        for i in range(start, start + count)
    ]
    from kinabog.institutions.models import Membership

    Membership.objects.bulk_create([Membership(group=g, profile_id=p.id) for g in extra for p in karin.profiles])
    karin = viewer("karin")
    for i, g in enumerate(extra, start=start):
        actions.create_post(
            karin, title=f"Opslag {i}", content="<p>x</p>", targets=[f"g:{g.id}", f"g:{blaa.id}"], roles=["guardian"]
        )
    mette = viewer("mette", "guardian")
    for post in Post.objects.filter(comments__isnull=True):
        actions.add_comment(mette, post.id, "<p>Tak</p>")


def _feed_queries(client: Client) -> tuple[int, int, str]:
    mette = viewer("mette", "guardian")
    # The query log keeps 9,000 entries; once full, counting by its length would read zero.
    connection.queries_log.clear()
    with assert_max_queries(4) as context:
        page = queries.feed(mette, limit=50)
    assert all(item.comment_count == 1 for item in page.posts)
    sign_in(client, "mette", role="guardian")
    client.get(OVERVIEW)  # the first request after signing in also writes the session
    connection.queries_log.clear()
    with assert_max_queries(40) as overview:
        html = client.get(OVERVIEW).content.decode()
    return len(context.captured_queries), len(overview.captured_queries), html


def test_feed_query_count_is_fixed_however_many_posts_and_groups(client: Client) -> None:
    _make_posts(2)
    feed_small, overview_small, html = _feed_queries(client)
    assert "Opslag 1" in html
    _make_posts(28, start=2)
    feed_large, overview_large, html = _feed_queries(client)
    assert "Opslag 29" in html
    # Children's institutions, important posts, the page, the page's groups.
    assert feed_small == feed_large == 4
    assert overview_small == overview_large

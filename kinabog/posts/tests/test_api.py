"""The Aula post and comment methods (posts.*, comments.*) as a community client calls them: shapes,
the same rules as the pages, and Aula's error envelope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from kinabog.aula_api.tests.conftest import AulaClient, ok, status_of
from kinabog.aula_api.tokens import issue_token
from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.models import Group, InstitutionProfile
from kinabog.posts import actions
from kinabog.posts.models import Comment, Post, PostAttachment, PostBookmark, Report

pytestmark = pytest.mark.django_db

KATAMARANEN = "G10001"


@pytest.fixture
def signed_in(client: Client) -> Callable[[str, str], AulaClient]:
    """An Aula client through the bootstrap: token → session → activated portal role."""

    def bootstrap(username: str, role: str) -> AulaClient:
        aula = AulaClient(client)
        aula.sign_in(issue_token(get_user_model().objects.get(username=username), "aula"))
        aula.activate(role)
        return aula

    return bootstrap


def viewer(username: str, role: str = "employee"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.get(username=username)
    return institution_queries.build_viewer(user.pk, role, 2)


def group_id(name: str) -> int:
    return int(Group.objects.get(name=name).id)


def profile_id(username: str, code: str = KATAMARANEN) -> int:
    return int(InstitutionProfile.objects.get(person__login__username=username, institution__code=code).id)


def new_post(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 0,
        "title": "Tur i skoven",
        "content": "<p>Husk <strong>gummistøvler</strong>.</p><script>alert(1)</script>",
        "institutionCode": KATAMARANEN,
        "creatorInstitutionProfileId": profile_id("karin"),
        "allowComments": True,
        "isImportant": False,
        "importantFrom": None,
        "importantTo": None,
        "sharedWithGroups": [{"groupId": group_id("Blå stue"), "portalRolesEnum": ["guardian", "employee"]}],
        "attachmentIds": [],
        "publishAt": None,
        "expireAt": None,
    }
    return {**body, **changes}


def karins_post(title: str = "Tur i skoven") -> Post:
    return actions.create_post(
        viewer("karin"),
        title=title,
        content="<p>Husk gummistøvler.</p>",
        targets=[f"g:{group_id('Blå stue')}"],
        roles=["guardian", "employee"],
    )


def error(response: Any, http: int, code: int) -> dict[str, Any]:
    assert response.status_code == http, response.content[:300]
    status = status_of(response)
    assert status["code"] == code, status
    return status


# --- posts.createPost, updatePost, deletePost ------------------------------------------------------


def test_karin_creates_a_post_and_mette_reads_it_by_id(signed_in: Callable[[str, str], AulaClient]) -> None:
    aula = signed_in("karin", "employee")
    with assert_max_queries(30):
        data = ok(aula.post("posts.createPost", new_post()))
    assert data["allImagesHasValidConsents"] is True
    post = Post.objects.get(pk=data["id"])
    assert post.content == "<p>Husk <strong>gummistøvler</strong>.</p>"  # sanitised
    assert post.for_guardians and post.for_employees and not post.for_children

    mette = signed_in("mette", "guardian")
    with assert_max_queries(20):
        shown = ok(mette.get("posts.getById", id=post.id))
    assert shown["id"] == post.id and shown["title"] == "Tur i skoven"
    assert shown["content"] == {"html": post.content}
    assert shown["ownerProfile"]["fullName"].startswith("Karin")
    assert [g["name"] for g in shown["sharedWithGroups"]] == ["Blå stue"]
    assert shown["sharedWithGroups"][0]["portalRoles"] == ["guardian", "employee"]
    assert shown["attachments"] == [] and shown["isBookmarked"] is False
    assert (shown["canCurrentUserDelete"], shown["canCurrentUserComment"], shown["canCurrentUserReport"]) == (
        False,
        True,
        True,
    )


def test_an_important_post_until_a_date(signed_in: Callable[[str, str], AulaClient]) -> None:
    until = timezone.localdate() + timedelta(days=3)
    aula = signed_in("karin", "employee")
    body = new_post(isImportant=True, importantTo=f"{until.isoformat()}T00:00:00+01:00")
    post = Post.objects.get(pk=ok(aula.post("posts.createPost", body))["id"])
    assert post.is_important and post.important_until == until


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"content": "<p> </p>"},
        {"content": 42},
        {"sharedWithGroups": []},
        {"sharedWithGroups": [{"groupId": "x", "portalRolesEnum": ["guardian"]}]},
        {"sharedWithGroups": [{"groupId": 1, "portalRolesEnum": ["teacher"]}]},
        {"sharedWithGroups": [{"groupId": 1, "portalRolesEnum": []}]},
        {"isImportant": True, "importantTo": "i morgen"},
        {"isImportant": True, "importantTo": "2001-01-01"},
        {"attachmentIds": [1]},
        {"expireAt": "2030-01-01"},
        {"publishAt": "2099-01-01T10:00:00+01:00"},
        {"id": 5},
    ],
)
def test_bad_input_answers_code_40_and_nothing_is_stored(
    signed_in: Callable[[str, str], AulaClient], changes: dict[str, Any]
) -> None:
    aula = signed_in("karin", "employee")
    error(aula.post("posts.createPost", new_post(**changes)), 200, 40)
    assert not Post.objects.exists()


def test_groups_and_institutions_that_are_not_the_authors_are_refused(
    signed_in: Callable[[str, str], AulaClient],
) -> None:
    aula = signed_in("karin", "employee")
    wrong_group = new_post(sharedWithGroups=[{"groupId": group_id("3.B"), "portalRolesEnum": ["guardian"]}])
    status = error(aula.post("posts.createPost", wrong_group), 200, 40)
    assert status["presentedMessage"] == "Du kan ikke skrive opslag i en af de valgte grupper."
    error(aula.post("posts.createPost", new_post(institutionCode="280101")), 404, 404)  # not karin's institution
    other_author = new_post(creatorInstitutionProfileId=profile_id("anders"))
    error(aula.post("posts.createPost", other_author), 200, 40)
    mette = signed_in("mette", "guardian")  # a guardian posts in her child's group only (members may post)
    not_emils = [{"groupId": group_id("Grøn stue"), "portalRolesEnum": ["guardian"]}]
    body = new_post(creatorInstitutionProfileId=None, sharedWithGroups=not_emils)
    error(mette.post("posts.createPost", body), 200, 40)
    assert not Post.objects.exists()


def test_the_author_updates_and_deletes_the_post_and_others_may_not(
    signed_in: Callable[[str, str], AulaClient],
) -> None:
    post = karins_post()
    jonas = signed_in("jonas", "guardian")
    error(jonas.post("posts.updatePost", new_post(id=post.id, title="Overtaget")), 403, 403)
    error(jonas.post("posts.deletePost", {"id": post.id}), 403, 403)
    birgitte = signed_in("birgitte", "employee")
    error(birgitte.post("posts.updatePost", new_post(id=post.id, title="Overtaget")), 404, 404)
    error(birgitte.post("posts.getById", id=post.id), 405, 10)
    error(birgitte.get("posts.getById", id=post.id), 404, 404)

    karin = signed_in("karin", "employee")
    body = new_post(id=post.id, title="Tur i skoven flyttes", allowComments=False)
    assert ok(karin.post("posts.updatePost", body)) is True
    post.refresh_from_db()
    assert post.title == "Tur i skoven flyttes" and not post.allow_comments and post.edited_at is not None
    assert ok(karin.post("posts.deletePost", {"id": post.id})) is True
    post.refresh_from_db()
    assert post.deleted_at is not None
    error(signed_in("mette", "guardian").get("posts.getById", id=post.id), 404, 404)


def test_update_keeps_only_the_listed_files(signed_in: Callable[[str, str], AulaClient], settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kinabog.posts import attachments

    files = [SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.7") for name in ("plan", "menu")]
    post = attachments.create_post_with_files(
        viewer("karin"),
        files=files,
        title="Planer",
        content="<p>Se filerne</p>",
        targets=[f"g:{group_id('Blå stue')}"],
        roles=["guardian"],
    )
    plan, menu = PostAttachment.objects.filter(post=post).order_by("position")
    mette = signed_in("mette", "guardian")
    shown = ok(mette.get("posts.getById", id=post.id))
    assert [(a["id"], a["name"]) for a in shown["attachments"]] == [(plan.id, "plan.pdf"), (menu.id, "menu.pdf")]
    assert shown["attachments"][0]["file"]["url"] == f"http://testserver/opslag/fil/{plan.id}/"
    assert mette.client.get(shown["attachments"][0]["file"]["url"]).status_code == 200

    karin = signed_in("karin", "employee")
    error(karin.post("posts.updatePost", new_post(id=post.id, title="Planer", attachmentIds=[987654])), 200, 40)
    assert PostAttachment.objects.filter(post=post).count() == 2
    assert ok(karin.post("posts.updatePost", new_post(id=post.id, title="Planer", attachmentIds=[menu.id])))
    assert list(PostAttachment.objects.filter(post=post).values_list("name", flat=True)) == ["menu.pdf"]


# --- posts.getAllPosts filters, bookmarks, reports --------------------------------------------------


def own_and_childrens_ids(aula: AulaClient) -> list[int]:
    context = ok(aula.get("profiles.getProfileContext", portalrole="guardian"))
    ids = [p["id"] for p in context.get("institutionProfiles", [])]
    ids += [c["id"] for inst in context.get("institutions", []) for c in inst.get("children", [])]
    ids += [i["institutionProfileId"] for i in context.get("institutions", []) if "institutionProfileId" in i]
    return ids


def test_mette_bookmarks_a_post_and_filters_on_it(signed_in: Callable[[str, str], AulaClient]) -> None:
    kept = karins_post("Tur i skoven")
    karins_post("Lus i Blå stue")
    mette = signed_in("mette", "guardian")
    ids = own_and_childrens_ids(mette)
    params = {"institutionProfileIds[]": ids, "index": 0, "limit": 10}
    assert ok(mette.post("posts.bookmark", {"id": kept.id})) is True
    assert ok(mette.post("posts.bookmark", {"id": kept.id})) is True  # twice: one bookmark
    assert PostBookmark.objects.filter(post=kept).count() == 1
    with assert_max_queries(20):
        everything = ok(mette.get("posts.getAllPosts", **params, isBookmarked="false"))
    assert {p["title"]: p["isBookmarked"] for p in everything["posts"]} == {
        "Tur i skoven": True,
        "Lus i Blå stue": False,
    }
    with assert_max_queries(20):
        bookmarked = ok(mette.get("posts.getAllPosts", **params, isBookmarked="true"))
    assert [p["id"] for p in bookmarked["posts"]] == [kept.id]
    # Jonas sees the post too, but the bookmark is mette's.
    jonas = signed_in("jonas", "guardian")
    assert ok(jonas.get("posts.getById", id=kept.id))["isBookmarked"] is False
    mette = signed_in("mette", "guardian")
    assert ok(mette.post("posts.unbookmark", {"id": kept.id})) is True
    assert ok(mette.get("posts.getAllPosts", **params, isBookmarked="true"))["posts"] == []
    peter = signed_in("peter", "guardian")
    error(peter.post("posts.bookmark", {"id": kept.id}), 404, 404)
    error(peter.post("posts.bookmark", {}), 200, 40)


def test_reporting_a_post_and_ones_own(signed_in: Callable[[str, str], AulaClient]) -> None:
    post = karins_post()
    mette = signed_in("mette", "guardian")
    error(mette.post("posts.reportPost", {"id": post.id, "reportReason": ""}), 200, 40)
    assert ok(mette.post("posts.reportPost", {"id": post.id, "reportReason": "Forkert gruppe"})) is True
    assert Report.objects.get(post=post).reason == "Forkert gruppe"
    karin = signed_in("karin", "employee")
    error(karin.post("posts.reportPost", {"id": post.id, "reportReason": "Eget"}), 403, 403)
    error(signed_in("lars", "guardian").post("posts.reportPost", {"id": post.id, "reportReason": "x"}), 404, 404)


# --- comments.* ------------------------------------------------------------------------------------------


def comment_body(post: Post, content: Any = "<p>Vi glæder os!</p>", **changes: Any) -> dict[str, Any]:
    return {"commentableItem": {"type": "post", "id": post.id}, "content": content, **changes}


def test_comments_are_added_listed_edited_and_deleted(signed_in: Callable[[str, str], AulaClient]) -> None:
    post = karins_post()
    mette = signed_in("mette", "guardian")
    with assert_max_queries(25):
        added = ok(mette.post("comments.addComment", comment_body(post)))
    assert added["content"] == "<p>Vi glæder os!</p>" and added["creator"]["name"].startswith("Mette")
    assert (added["canEdit"], added["canDelete"], added["canReport"]) == (True, True, False)
    for i in range(3):
        ok(mette.post("comments.addComment", comment_body(post, f"<p>Nummer {i}</p>")))

    with assert_max_queries(20):
        page = ok(mette.get("comments.getComments", parentType="post", parentId=post.id, startIndex=1, limit=2))
    assert (page["startIndex"], page["limit"], page["totalResultCount"]) == (1, 2, 4)
    assert [c["content"] for c in page["comments"]] == ["<p>Nummer 0</p>", "<p>Nummer 1</p>"]
    first = page["comments"][0]
    assert {"id", "creator", "createdAt", "updatedAt", "comments", "commentCount", "isDeleted", "isReported"} <= set(
        first
    )
    mine = page["commentableInstitutionProfiles"]
    assert [p["institutionProfileId"] for p in mine] == [profile_id("mette")]

    edited = {"commentId": added["id"], "content": "<p>Vi glæder os meget!</p>"}
    assert ok(mette.post("comments.updateComment", edited)) is True
    assert Comment.objects.get(pk=added["id"]).edited_at is not None

    jonas = signed_in("jonas", "guardian")
    error(jonas.post("comments.updateComment", {**edited, "content": "Hack"}), 403, 403)
    error(jonas.post("comments.deleteComment", {"commentId": added["id"], "parentType": "post"}), 403, 403)
    assert ok(jonas.post("comments.reportComment", {"commentId": added["id"], "reportReason": "Uvenligt"})) is True
    assert Report.objects.get(comment_id=added["id"]).reason == "Uvenligt"

    karin = signed_in("karin", "employee")  # staff delete comments on posts in their groups
    assert ok(karin.post("comments.deleteComment", {"commentId": added["id"], "parentType": "post"})) is True
    mette = signed_in("mette", "guardian")
    after = ok(mette.get("comments.getComments", parentType="post", parentId=post.id, startIndex=0, limit=10))
    assert after["totalResultCount"] == 3 and added["id"] not in [c["id"] for c in after["comments"]]


def test_comment_errors(signed_in: Callable[[str, str], AulaClient]) -> None:
    post = karins_post()
    closed = actions.create_post(
        viewer("karin"),
        title="Ingen kommentarer",
        content="<p>Info</p>",
        targets=[f"g:{group_id('Blå stue')}"],
        roles=["guardian"],
        allow_comments=False,
    )
    mette = signed_in("mette", "guardian")
    error(mette.get("comments.getComments", parentType="media", parentId=post.id), 200, 40)
    error(mette.get("comments.getComments", parentType="post", parentId=post.id, limit=500), 200, 40)
    error(mette.get("comments.getComments", parentType="post"), 200, 40)
    error(mette.post("comments.addComment", comment_body(post, "<p> </p>")), 200, 40)
    error(mette.post("comments.addComment", comment_body(post, None)), 200, 40)
    error(mette.post("comments.addComment", {"content": "Hej"}), 200, 40)
    error(mette.post("comments.addComment", comment_body(post, creatorInstProfileId=profile_id("karin"))), 200, 40)
    error(mette.post("comments.addComment", comment_body(closed)), 403, 403)
    error(mette.post("comments.updateComment", {"commentId": 987654, "content": "x"}), 404, 404)
    assert not Comment.objects.exists()
    peter = signed_in("peter", "guardian")
    error(peter.get("comments.getComments", parentType="post", parentId=post.id), 404, 404)
    error(peter.post("comments.addComment", comment_body(post)), 404, 404)

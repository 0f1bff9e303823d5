"""posts.getAllPosts through the Aula API, as a community client calls it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model

from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.posts import actions

from .conftest import AulaClient, ok

pytestmark = pytest.mark.django_db


def viewer(username: str, role: str = "employee"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.get(username=username)
    return institution_queries.build_viewer(user.pk, role, 2)


def share(username: str, group_name: str, title: str) -> int:
    author = viewer(username)
    group = next(g for g in institution_queries.my_groups(author) if g.name == group_name)
    post = actions.create_post(author, title=title, content="<p>Hej</p>", targets=[f"g:{group.id}"], roles=["guardian"])
    return int(post.id)


def test_mette_gets_both_childrens_posts_with_aula_field_names(signed_in: Callable[..., AulaClient]) -> None:
    blaa = share("karin", "Blå stue", "Tur i skoven")
    school = share("birgitte", "3.B", "Klassens time")
    aula = signed_in("mette", "guardian")
    context = ok(aula.get("profiles.getProfileContext", portalrole="guardian"))
    ids = [p["id"] for p in context["institutionProfiles"]] if "institutionProfiles" in context else []
    ids += [c["id"] for inst in context.get("institutions", []) for c in inst.get("children", [])]
    ids += [inst["institutionProfileId"] for inst in context.get("institutions", []) if "institutionProfileId" in inst]
    assert ids
    with assert_max_queries(20):
        data = ok(aula.get("posts.getAllPosts", **{"institutionProfileIds[]": ids, "index": 0, "limit": 10}))
    posts = {p["id"]: p for p in data["posts"]}
    assert set(posts) == {blaa, school}
    first = posts[blaa]
    assert first["title"] == "Tur i skoven" and first["content"] == {"html": "<p>Hej</p>"}
    assert first["ownerProfile"]["fullName"].startswith("Karin")
    assert [g["name"] for g in first["sharedWithGroups"]] == ["Blå stue"]
    assert {
        "timestamp",
        "publishAt",
        "isImportant",
        "importantFrom",
        "importantTo",
        "allowComments",
        "commentCount",
    } <= set(first)
    assert data["hasMorePosts"] is False


def test_foreign_ids_give_an_empty_list(signed_in: Callable[..., AulaClient]) -> None:
    share("karin", "Blå stue", "Tur i skoven")
    aula = signed_in("peter", "guardian")
    data = ok(aula.get("posts.getAllPosts", **{"institutionProfileIds[]": [1, 2, 3, 987654], "index": 0, "limit": 10}))
    assert data["posts"] == []

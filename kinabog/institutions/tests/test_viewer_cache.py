"""The cached Viewer (decision 0008): used only while nothing it was built from has changed.

The access version's token is replaced by database triggers on every write a Viewer depends on, in the
writing transaction — also for bulk and raw-SQL writes — so access changes take effect on the next request.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinabog.core.testing import sign_in
from kinabog.institutions.models import (
    AccessVersion,
    Group,
    InstitutionProfile,
    Membership,
    Person,
    ProfileRole,
    Relation,
)
from kinabog.institutions.queries import build_viewer, cached_viewer, forget_recent_viewers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def viewer_cache_on(settings):  # type: ignore[no-untyped-def]
    settings.VIEWER_CACHE_SECONDS = 300
    cache.clear()
    forget_recent_viewers()
    yield
    forget_recent_viewers()


def token() -> str:
    return AccessVersion.objects.get(pk=1).token


def login_of(first_name: str) -> int:
    login_id = Person.objects.get(first_name=first_name).login_id
    assert login_id is not None
    return login_id


def queries_of(client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response.status_code, len(context.captured_queries)


def test_every_kind_of_write_a_viewer_depends_on_replaces_the_token() -> None:
    emil = Person.objects.get(first_name="Emil")
    mette = Person.objects.get(first_name="Mette")
    profile = InstitutionProfile.objects.filter(person=emil, role=ProfileRole.CHILD).first()
    assert profile is not None
    group = Group.objects.get(name="Grøn stue")
    seen = {token()}

    def changed() -> bool:
        now = token()
        fresh = now not in seen
        seen.add(now)
        return fresh

    membership = Membership.objects.create(profile=profile, group=group)
    assert changed()
    Membership.objects.filter(pk=membership.pk).delete()
    assert changed()
    Membership.objects.bulk_create([Membership(profile=profile, group=group)])
    assert changed()
    InstitutionProfile.objects.filter(pk=profile.pk).update(is_active=True)
    assert changed()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE institutions_relation SET has_custody = has_custody WHERE guardian_id = %s", [mette.id])
    assert changed()
    Person.objects.filter(pk=mette.pk).update(login=None)
    assert changed()
    # Contact details are not part of a Viewer: changing them keeps every cached Viewer.
    Person.objects.filter(pk=mette.pk).update(mobile_phone="20202020")
    assert not changed()


def test_a_cached_viewer_is_reused_until_an_access_change_commits(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "mette")
    emil = Person.objects.get(first_name="Emil")
    url = reverse("institutions:child", args=[emil.id])
    client.get(url)  # the first request notes the session's last-seen time
    status, built = queries_of(client, url)
    assert status == 200
    status, cached = queries_of(client, url)
    assert status == 200 and cached < built  # the Viewer came from the cache
    Relation.objects.filter(guardian__first_name="Mette", child=emil).delete()
    status, _ = queries_of(client, url)
    assert status == 404  # the very next request no longer sees Emil


def test_a_rolled_back_change_leaves_no_viewer_behind() -> None:
    karin = login_of("Karin")
    grøn = Group.objects.get(name="Grøn stue")
    before = cached_viewer(karin, "employee", 2)
    assert grøn.id not in before.group_ids
    profile = InstitutionProfile.objects.filter(person__login_id=karin, role=ProfileRole.EMPLOYEE).first()
    assert profile is not None
    with pytest.raises(RuntimeError), transaction.atomic():
        Membership.objects.create(profile=profile, group=grøn)
        assert grøn.id in cached_viewer(karin, "employee", 2).group_ids
        raise RuntimeError("rolled back")
    assert grøn.id not in cached_viewer(karin, "employee", 2).group_ids
    # A later, different change gets a token of its own: the rolled-back Viewer is never found again.
    Person.objects.filter(first_name="Mette").update(login=None)
    assert grøn.id not in cached_viewer(karin, "employee", 2).group_ids
    assert cached_viewer(karin, "employee", 2) == build_viewer(karin, "employee", 2)


def test_roles_and_assurance_levels_are_cached_apart() -> None:
    birgitte = login_of("Birgitte")
    as_staff = cached_viewer(birgitte, "employee", 2)
    as_parent = cached_viewer(birgitte, "guardian", 2)
    stepped_up = cached_viewer(birgitte, "employee", 3)
    assert (as_staff.portal_role, as_parent.portal_role) == ("employee", "guardian")
    assert stepped_up.assurance_level == 3 and as_staff.assurance_level == 2


def test_without_the_cache_every_request_builds_the_viewer(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VIEWER_CACHE_SECONDS = 0
    karin = login_of("Karin")
    with CaptureQueriesContext(connection) as first:
        cached_viewer(karin, "employee", 2)
    with CaptureQueriesContext(connection) as second:
        cached_viewer(karin, "employee", 2)
    assert len(first.captured_queries) == len(second.captured_queries) > 1


def test_a_signed_in_request_reads_the_access_version_with_the_login(client) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "mette")
    url = reverse("institutions:child", args=[Person.objects.get(first_name="Emil").id])
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    statements = [q["sql"] for q in context.captured_queries]
    assert not any(sql.startswith('SELECT "institutions_accessversion"') for sql in statements)
    [login] = [sql for sql in statements if 'FROM "accounts_user"' in sql]
    assert '"institutions_accessversion"' in login  # the token in the login's own statement


def test_each_process_keeps_the_viewers_it_used_last_in_front_of_the_shared_cache() -> None:
    karin = login_of("Karin")
    first = cached_viewer(karin, "employee", 2)
    cache.clear()  # the shared cache lost it (evicted, restarted): this process still has it
    with CaptureQueriesContext(connection) as context:
        again = cached_viewer(karin, "employee", 2)
    assert again == first and len(context.captured_queries) == 1  # the access version only
    # An access change is seen at once all the same: the token is part of the key.
    grøn = Group.objects.get(name="Grøn stue")
    profile = InstitutionProfile.objects.filter(person__login_id=karin, role=ProfileRole.EMPLOYEE).first()
    assert profile is not None and grøn.id not in first.group_ids
    Membership.objects.create(profile=profile, group=grøn)
    assert grøn.id in cached_viewer(karin, "employee", 2).group_ids

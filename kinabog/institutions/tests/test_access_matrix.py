"""The demo matrix of ACCESS.md, row by row, through HTTP.

✓ may see · ✗ 404 · "alias" sees the alias, not the name · "name" sees only name and institution.
The mette↔karin thread column is written through the messaging actions and read through HTTP.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinabog.core.testing import sign_in
from kinabog.institutions import queries
from kinabog.institutions.models import Group, InstitutionProfile, Municipality, Person
from kinabog.messaging import actions as messaging

pytestmark = pytest.mark.django_db

Y, N = "✓", "✗"

# viewer: (Emil's day, Sofie's school posts, Noah's day, Ida's real name, Freja's club group, Emil's allergies)
MATRIX = {
    "mette": (Y, Y, N, "alias", N, Y),
    "jonas": (Y, Y, N, "alias", N, Y),
    "peter": (N, "name", N, "alias", N, N),
    "lars": (N, N, Y, "alias", N, N),
    "karin": (Y, N, N, "alias", N, Y),
    "anders": (Y, N, Y, "real", N, Y),
    "birgitte": (N, Y, N, "alias", N, N),
    "ole": (N, Y, N, "alias", N, N),
    "freja": (N, N, N, "alias", Y, N),
    "hanne": (N, N, N, "alias", N, N),
    "thomas": (N, N, N, N, N, N),
}


def person(first: str, last: str) -> Person:
    return Person.objects.get(first_name=first, last_name=last)


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def child_url(first: str, last: str) -> str:
    return reverse("institutions:child", args=[person(first, last).id])


@pytest.mark.parametrize("username", MATRIX)
def test_emils_day(client, username):
    sign_in(client, username)
    response = client.get(child_url("Emil", "Hansen"))
    if MATRIX[username][0] == Y:
        assert response.status_code == 200
        assert 'id="day"' in response.content.decode()
    else:
        assert response.status_code == 404
        assert "Emil" not in response.content.decode()


@pytest.mark.parametrize("username", MATRIX)
def test_sofies_school_posts(client, username):
    sign_in(client, username)
    response = client.get(reverse("institutions:group", args=[group("3.B").id]))
    expected = MATRIX[username][1]
    assert response.status_code == (200 if expected == Y else 404)
    child_page = client.get(child_url("Sofie", "Hansen"))
    if expected == "name":
        # Name and institution, nothing of the day or the groups.
        html = child_page.content.decode()
        assert child_page.status_code == 200
        assert "Sofie Hansen" in html and "Havnby Skole" in html
        assert 'id="day"' not in html and "3.B" not in html


def test_peter_sees_sofies_posts_when_the_municipality_extends_access(client):
    Municipality.objects.filter(code="0999").update(non_custody_extended_access=True)
    sign_in(client, "peter")
    assert client.get(reverse("institutions:group", args=[group("3.B").id])).status_code == 200
    assert 'id="day"' in client.get(child_url("Sofie", "Hansen")).content.decode()


@pytest.mark.parametrize("username", MATRIX)
def test_noahs_day(client, username):
    sign_in(client, username)
    response = client.get(child_url("Noah", "Berg"))
    if MATRIX[username][2] == Y:
        assert response.status_code == 200
        assert 'id="day"' in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("username", MATRIX)
def test_idas_real_name(client, username):
    user = sign_in(client, username)
    expected = MATRIX[username][3]
    ida = person("Ida", "Kristensen")
    # Wherever Ida appears to the viewer, the name shown is the expected one.
    viewer = queries.build_viewer(user.id, None, 2)
    shown = queries.display_name(viewer, ida, set(ida.profiles.values_list("institution_id", flat=True)))
    if expected == "real":
        assert shown == "Ida Kristensen"
    else:
        assert shown == "Lærke B."
    # Through HTTP: her room's member list where the viewer may see it, and her own page.
    room = client.get(reverse("institutions:group", args=[group("Søstjernerne").id]))
    if room.status_code == 200:
        html = room.content.decode()
        assert ("Ida Kristensen" in html) == (expected == "real")
        if expected == "alias":
            assert "Lærke B." in html
    page = client.get(child_url("Ida", "Kristensen"))
    if expected == N:
        assert page.status_code == 404
    if page.status_code == 200:
        assert ("Ida Kristensen" in page.content.decode()) == (expected == "real")


def test_idas_guardian_sees_her_real_name(client):
    sign_in(client, "sara")
    html = client.get(reverse("institutions:overview")).content.decode()
    assert "Ida Kristensen" in html


def test_birgitte_as_guardian_sees_ida_by_alias(client):
    sign_in(client, "birgitte", role="guardian")
    html = client.get(reverse("institutions:group", args=[group("Søstjernerne").id])).content.decode()
    assert "Lærke B." in html and "Ida Kristensen" not in html
    assert "Oliver Lund" in html


@pytest.mark.parametrize("username", MATRIX)
def test_freja_club_group(client, username):
    sign_in(client, username)
    response = client.get(reverse("institutions:group", args=[group("Klub Bølgen").id]))
    assert response.status_code == (200 if MATRIX[username][4] == Y else 404)


@pytest.mark.parametrize("username", MATRIX)
def test_emils_allergies_at_level_3(client, username):
    sign_in(client, username, level=3)
    response = client.get(reverse("institutions:child_supplementary", args=[person("Emil", "Hansen").id]))
    if MATRIX[username][5] == Y:
        assert response.status_code == 200
        assert "Jordnødder og hasselnødder" in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("username", [u for u, row in MATRIX.items() if row[5] == Y])
def test_emils_allergies_need_step_up(client, username):
    sign_in(client, username, level=2)
    url = reverse("institutions:child_supplementary", args=[person("Emil", "Hansen").id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert "Jordnødder" not in response.content.decode()


def test_unknown_ids_answer_404(client):
    sign_in(client, "mette")
    assert client.get(reverse("institutions:child", args=[999999])).status_code == 404
    assert client.get(reverse("institutions:group", args=[999999])).status_code == 404
    # A guardian's own person id is no child page.
    assert client.get(child_url("Mette", "Hansen")).status_code == 404


THREAD_MATRIX = {
    "mette": Y,
    "jonas": N,
    "peter": N,
    "lars": N,
    "karin": Y,
    "anders": N,
    "birgitte": N,
    "ole": N,
    "freja": N,
    "hanne": N,
    "thomas": N,
}


@pytest.mark.parametrize("username", THREAD_MATRIX)
def test_mette_karin_thread(client, username):
    mette = queries.build_viewer(Person.objects.get(login__username="mette").login_id, None, 2)
    karin = InstitutionProfile.objects.get(person__login__username="karin", role="employee")
    thread = messaging.start_thread(
        mette,
        subject="Emils madpakke",
        text="Emil har glemt sin madpakke i dag.",
        recipients=messaging.Recipients(profile_ids=[karin.id]),
    )
    sign_in(client, username)
    response = client.get(reverse("messaging:thread", args=[thread.id]))
    if THREAD_MATRIX[username] == Y:
        assert response.status_code == 200
        assert "madpakke" in response.content.decode()
    else:
        assert response.status_code == 404
        assert "madpakke" not in response.content.decode()

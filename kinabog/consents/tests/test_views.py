"""Samtykker through HTTP as the demo people: who answers, who reads, what is refused, query budgets."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.audit.models import AuditEntry
from kinabog.consents.models import Consent, ConsentKind
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Membership, Person, Relation

pytestmark = pytest.mark.django_db

INDEX = reverse("consents:index")
BIRTHDAY = ConsentKind.BIRTHDAY_IN_GROUP.value


def person(first_name: str) -> Person:
    return Person.objects.filter(first_name=first_name, profiles__role__in=["child", "pupil"]).distinct().get()


def consent(child: Person, kind: str = BIRTHDAY) -> Consent | None:
    return Consent.objects.filter(child=child, kind=kind).first()


def answer(client: Client, child: Person, **answers: str):  # type: ignore[no-untyped-def]
    data = {"child": child.id, **{f"answer_{kind}": value for kind, value in answers.items()}}
    return client.post(INDEX, data)


def test_mette_withdraws_and_gives_consent_for_emil_each_answer_audited(client: Client) -> None:
    emil = person("Emil")
    sign_in(client, "mette", role="guardian", level=3)
    page = client.get(INDEX).content.decode()
    assert "Emil Hansen" in page and "Sofie Hansen" in page
    assert "Barnets fødselsdag må vises for gruppen" in page
    assert 'name="answer_birthday_in_group"' in page

    before = AuditEntry.objects.filter(object_type="consents.consent").count()
    response = answer(client, emil, birthday_in_group="no", photo_public="yes")
    assert response.status_code == 302
    assert consent(emil).given is False  # type: ignore[union-attr]
    assert consent(emil, ConsentKind.PHOTO_PUBLIC).given is True  # type: ignore[union-attr]
    assert consent(emil).answered_by.first_name == "Mette"  # type: ignore[union-attr]
    audits = AuditEntry.objects.filter(object_type="consents.consent").order_by("id")
    assert audits.count() == before + 2
    assert {a.action for a in audits[before:]} == {"refuse_consent", "give_consent"}
    assert all(a.assurance_level == 3 for a in audits[before:])

    # The same answer again changes nothing and audits nothing.
    assert answer(client, emil, birthday_in_group="no").status_code == 302
    assert AuditEntry.objects.filter(object_type="consents.consent").count() == before + 2
    assert answer(client, emil, birthday_in_group="yes").status_code == 302
    assert consent(emil).given is True  # type: ignore[union-attr]


def test_an_unanswered_consent_shows_as_not_answered(client: Client) -> None:
    Consent.objects.filter(child=person("Sofie")).delete()
    sign_in(client, "jonas", role="guardian", level=3)
    page = client.get(INDEX).content.decode()
    assert "Ikke besvaret" in page


def test_at_level_2_the_answers_are_shown_and_changing_them_needs_step_up(client: Client) -> None:
    emil = person("Emil")
    sign_in(client, "mette", role="guardian")
    page = client.get(INDEX).content.decode()
    assert "Emil Hansen" in page and 'name="answer_' not in page
    assert reverse("accounts:step_up") in page
    response = answer(client, emil, birthday_in_group="no")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    assert consent(emil).given is True  # type: ignore[union-attr]


@pytest.mark.parametrize("username, child", [("peter", "Sofie"), ("lars", "Noah")])
def test_guardians_without_custody_have_nothing_to_answer_and_are_refused(
    client: Client, username: str, child: str
) -> None:
    sign_in(client, username, role="guardian", level=3)
    page = client.get(INDEX).content.decode()
    assert "Du har ingen samtykker at besvare" in page
    assert 'name="answer_' not in page
    before = Consent.objects.filter(child=person(child)).values_list("kind", "given").order_by("kind")
    snapshot = list(before)
    response = answer(client, person(child), birthday_in_group="no", photo_public="yes")
    assert response.status_code == 403
    assert "Kun en forælder med forældremyndighed" in response.content.decode()
    assert list(before.all()) == snapshot


def test_a_child_of_another_family_answers_404(client: Client) -> None:
    sign_in(client, "mette", role="guardian", level=3)
    assert answer(client, person("Noah"), birthday_in_group="yes").status_code == 404
    assert consent(person("Noah")) is None


@pytest.mark.parametrize(
    "answers",
    [{"birthday_in_group": "maybe"}, {"no_such_kind": "yes"}, {}],
)
def test_bad_answers_are_refused_with_a_message_and_change_nothing(client: Client, answers: dict[str, str]) -> None:
    emil = person("Emil")
    sign_in(client, "mette", role="guardian", level=3)
    response = answer(client, emil, photo_internal="no", **answers) if answers else answer(client, emil)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert consent(emil, ConsentKind.PHOTO_INTERNAL).given is True  # type: ignore[union-attr]


def test_a_missing_or_broken_child_id_answers_404(client: Client) -> None:
    sign_in(client, "mette", role="guardian", level=3)
    assert client.post(INDEX, {"answer_birthday_in_group": "yes"}).status_code == 404
    assert client.post(INDEX, {"child": "x1", "answer_birthday_in_group": "yes"}).status_code == 404


def test_karin_reads_the_overview_of_blaa_stue(client: Client) -> None:
    sign_in(client, "karin", role="employee")
    index = client.get(INDEX).content.decode()
    blaa = Group.objects.get(name="Blå stue")
    assert reverse("consents:group", args=[blaa.id]) in index
    page = client.get(reverse("consents:group", args=[blaa.id])).content.decode()
    assert "Emil Hansen" in page
    assert "Ikke besvaret" in page  # the room-mates nobody has answered for
    # Another institution's group is not hers.
    soestjerner = Group.objects.get(name="Søstjernerne")
    assert client.get(reverse("consents:group", args=[soestjerner.id])).status_code == 404


def test_guardians_do_not_read_a_groups_overview(client: Client) -> None:
    sign_in(client, "mette", role="guardian", level=3)
    blaa = Group.objects.get(name="Blå stue")
    assert client.get(reverse("consents:group", args=[blaa.id])).status_code == 404


def test_anders_sees_ida_by_name_other_staff_would_see_the_alias(client: Client) -> None:
    soestjerner = Group.objects.get(name="Søstjernerne")
    sign_in(client, "anders", role="employee")
    page = client.get(reverse("consents:group", args=[soestjerner.id])).content.decode()
    assert "Ida Kristensen" in page


def test_the_nav_links_to_consents_for_guardians(client: Client) -> None:
    sign_in(client, "mette", role="guardian")
    assert f'href="{INDEX}"' in client.get(reverse("institutions:overview")).content.decode()


def add_children_with_custody(username: str, count: int) -> None:
    """More children for a guardian, each in Blå stue with every consent answered."""
    guardian = Person.objects.get(login__username=username)
    institution = Institution.objects.get(code="G10001")
    group = Group.objects.get(name="Blå stue")
    for i in range(count):
        child = Person.objects.create(first_name=f"Barn{i}", last_name="Hansen", birth_date=date(2022, 5, i + 1))
        profile = InstitutionProfile.objects.create(person=child, institution=institution, role="child")
        Membership.objects.create(group=group, profile=profile)
        Relation.objects.create(guardian=guardian, child=child, kind="parent", has_custody=True)
        for kind in ConsentKind.values:
            Consent.objects.create(
                child=child, kind=kind, given=True, answered_by=guardian, answered_at=child.created_at
            )


def test_the_consents_page_has_a_fixed_query_count(client: Client) -> None:
    sign_in(client, "mette", role="guardian", level=3)
    client.get(INDEX)
    with assert_max_queries(40) as few:
        assert client.get(INDEX).status_code == 200
    add_children_with_custody("mette", 8)
    with assert_max_queries(len(few)) as many:
        page = client.get(INDEX).content.decode()
    assert "Barn7 Hansen" in page
    assert len(many) == len(few)


def test_the_group_overview_has_a_fixed_query_count(client: Client) -> None:
    blaa = Group.objects.get(name="Blå stue")
    url = reverse("consents:group", args=[blaa.id])
    sign_in(client, "karin", role="employee")
    client.get(url)
    with assert_max_queries(40) as few:
        assert client.get(url).status_code == 200
    add_children_with_custody("jonas", 8)
    with assert_max_queries(len(few)) as many:
        assert "Barn7 Hansen" in client.get(url).content.decode()
    assert len(many) == len(few)

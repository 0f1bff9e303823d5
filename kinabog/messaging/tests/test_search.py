"""search_messages: only one's own threads, subject and text, sender by shown name, dates, sensitive at level 3."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions, queries
from kinabog.messaging.models import CommonInbox, Message, Subscription, Thread

pytestmark = pytest.mark.django_db


def viewer(username: str, role: str | None = None, level: int = 2):  # type: ignore[no-untyped-def]
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, role, level)


def profile_of(username: str, role: str = "employee") -> InstitutionProfile:
    return InstitutionProfile.objects.filter(person__login__username=username, role=role).order_by("id").first()


def write(
    sender: str, to: str, subject: str, text: str, *, sensitive: bool = False, to_role: str = "employee"
) -> Thread:
    return actions.start_thread(
        viewer(sender, level=3 if sensitive else 2),
        subject=subject,
        text=text,
        recipients=actions.Recipients(profile_ids=[profile_of(to, to_role).id]),
        sensitive=sensitive,
    )


def subjects(page: queries.MessageSearchPage) -> list[str]:
    return [hit.message.thread.subject for hit in page.hits]


def test_finds_text_and_subject_in_own_threads_only():
    write("mette", "karin", "Madpakker", "<p>Husk <strong>regntøj</strong> til turen</p>")
    write("mette", "karin", "Sovetider", "<p>Emil sover kl. 12</p>")
    karin, jonas = viewer("karin"), viewer("jonas")
    assert subjects(queries.search_messages(karin, "regntøj")) == ["Madpakker"]
    assert subjects(queries.search_messages(karin, "sovetider")) == ["Sovetider"]
    assert subjects(queries.search_messages(viewer("mette"), "regntøj")) == ["Madpakker"]
    assert queries.search_messages(jonas, "regntøj").total == 0  # Emil's other parent takes no part
    assert queries.search_messages(viewer("anders"), "regntøj").total == 0  # the leader reads no one's threads
    assert queries.search_messages(karin, "   ").total == 0


def test_newest_first_with_limit_offset_and_total():
    for i in range(5):
        write("mette", "karin", f"Tur {i}", "<p>Tur i skoven</p>")
    karin = viewer("karin")
    first = queries.search_messages(karin, "skoven", limit=2)
    assert first.total == 5 and subjects(first) == ["Tur 4", "Tur 3"]
    assert subjects(queries.search_messages(karin, "skoven", limit=2, offset=4)) == ["Tur 0"]
    assert queries.search_messages(karin, "skoven", offset=10).hits == []


def test_date_range_is_inclusive_in_copenhagen_time():
    thread = write("mette", "karin", "Gammel besked", "<p>Om juleferien</p>")
    when = timezone.now() - timedelta(days=10)
    Message.objects.filter(thread=thread).update(sent_at=when)
    day = timezone.localtime(when).date()
    karin = viewer("karin")
    assert queries.search_messages(karin, "juleferien", date_from=day, date_to=day).total == 1
    assert queries.search_messages(karin, "juleferien", date_from=day + timedelta(days=1)).total == 0
    assert queries.search_messages(karin, "juleferien", date_to=day - timedelta(days=1)).total == 0


def test_sender_is_found_by_the_shown_name_and_a_protected_person_by_alias_only():
    write("mette", "karin", "Fra Mette", "<p>Hej</p>")
    to_sara = write("anders", "sara", "Til Sara", "<p>Hej</p>", to_role="guardian")
    actions.reply(viewer("sara"), to_sara.id, "<p>Tak for beskeden</p>")
    assert subjects(queries.search_messages(viewer("karin"), "", sender="Mette Hansen")) == ["Fra Mette"]
    anders = viewer("anders")
    # Typing the real name of a protected person must not tie it to their messages.
    assert queries.search_messages(anders, "", sender="Kristensen").total == 0
    [hit] = queries.search_messages(anders, "", sender="Lærke").hits
    assert hit.message.text == "<p>Tak for beskeden</p>"


def test_sensitive_threads_are_searched_at_level_3_only():
    write("mette", "karin", "Emils helbred", "<p>Om allergien</p>", sensitive=True)
    assert queries.search_messages(viewer("karin"), "allergien").total == 0
    assert queries.search_messages(viewer("karin"), "helbred").total == 0
    found = queries.search_messages(viewer("karin", level=3), "allergien")
    assert subjects(found) == ["Emils helbred"] and found.hits[0].sender_name == "Mette Hansen"


def test_members_of_a_common_inbox_search_its_threads():
    katamaranen = profile_of("karin").institution
    inbox = CommonInbox.objects.create(institution=katamaranen, name="Kontoret")
    inbox.members.add(profile_of("anders"))
    actions.start_thread(
        viewer("mette"),
        subject="Ferie i uge 42",
        text="<p>Emil holder fri</p>",
        recipients=actions.Recipients(common_inbox_ids=[inbox.id]),
    )
    found = queries.search_messages(viewer("anders"), "ferie")
    assert subjects(found) == ["Ferie i uge 42"] and found.hits[0].subscription is None
    assert queries.search_messages(viewer("karin"), "ferie").total == 0


def test_a_hit_carries_the_viewers_own_place_in_the_thread_in_the_active_role_only():
    write("mette", "karin", "Madpakker", "<p>Husk madpakken</p>")
    hit = queries.search_messages(viewer("karin"), "madpakken").hits[0]
    assert hit.subscription is not None and hit.subscription.profile_id == profile_of("karin").id
    assert hit.institution_code == profile_of("karin").institution.code
    # Birgitte is a teacher and a mother. A thread reaches her school's common inbox and, as well, her place as a
    # guardian: searching as a teacher she finds it through the inbox, but her guardian's place is not shown there.
    school = profile_of("birgitte").institution
    inbox = CommonInbox.objects.create(institution=school, name="Skolekontoret")
    inbox.members.add(profile_of("birgitte"))
    thread = actions.start_thread(
        viewer("ole"),
        subject="Skolefoto",
        text="<p>Fotografen kommer tirsdag</p>",
        recipients=actions.Recipients(common_inbox_ids=[inbox.id]),
    )
    as_guardian = profile_of("birgitte", "guardian")
    Subscription.objects.create(
        thread=thread, person_id=as_guardian.person_id, profile=as_guardian, last_message_at=thread.created_at
    )
    teacher_hit = queries.search_messages(viewer("birgitte", "employee"), "fotografen").hits[0]
    assert teacher_hit.message.thread_id == thread.id and teacher_hit.subscription is None
    guardian_hit = queries.search_messages(viewer("birgitte", "guardian"), "fotografen").hits[0]
    assert guardian_hit.subscription is not None and guardian_hit.subscription.profile_id == as_guardian.id
    assert guardian_hit.institution_code == as_guardian.institution.code


def test_danish_stemming_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Danish full-text search is PostgreSQL's; SQLite matches substrings")
    write("mette", "karin", "Fredag", "<p>Vi går en tur i skov og mark</p>")
    write("mette", "karin", "Madpakke", "<p>Husk madpakken</p>")
    karin = viewer("karin")
    assert subjects(queries.search_messages(karin, "skoven")) == ["Fredag"]
    assert subjects(queries.search_messages(karin, "madpakker")) == ["Madpakke"]
    assert queries.search_messages(karin, "og").total == 0  # a stop word alone finds nothing


def test_totals_are_exact_on_the_last_page_and_capped_beyond(monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(7):
        write("mette", "karin", f"Tur {i}", "Vi går i skoven")
    karin = viewer("karin")
    assert queries.search_messages(karin, "skoven", limit=10).total == 7  # not full: known without counting
    assert queries.search_messages(karin, "skoven", limit=3).total == 7  # full page: counted
    assert queries.search_messages(karin, "skoven", limit=3, offset=6).total == 7
    assert queries.search_messages(karin, "skoven", limit=3, offset=9).total == 7
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 5)
    assert queries.search_messages(karin, "skoven", limit=3).total == 5  # counting stops at the cap

"""Data the scenarios need, prepared in the bench process through Django (after stack.use_target).

Everything here is idempotent: the Esbjerg-scale municipality is built once, the municipal administrator
and the large inbox are added once, and later runs reuse them. Only today's komme/gå days are reset
before each check-in run, so every check-in is a real write.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from kinabog.accounts.models import User
from kinabog.aula_api.tokens import issue_token
from kinabog.demo.havnby import DEMO_PASSWORD, build_havnby
from kinabog.demo.scale import ESBJERG, ScaleSpec, build_esbjerg_scale
from kinabog.institutions.models import (
    Group,
    GroupKind,
    Institution,
    InstitutionKind,
    InstitutionProfile,
    JobRole,
    MunicipalAdministrator,
    Municipality,
    Person,
    ProfileRole,
)
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import queries as messaging_queries
from kinabog.messaging.models import Message, Subscription, Thread
from kinabog.notifications.models import Notification
from kinabog.presence import queries as presence_queries
from kinabog.presence.models import PresenceDay

SCALE_CODE = ESBJERG.code
ADMIN_USERNAME = "kommune0561"
# A municipality in miniature for smoke runs: every kind of institution, a few of each.
SMOKE_SPEC = ScaleSpec(
    areas=2,
    daycare_institutions=3,
    daycare_children=60,
    family_daycare_institutions=1,
    family_daycare_children=12,
    schools=2,
    pupils=160,
    guardians=300,
    staff=70,
    batch_size=1000,
)


@dataclass(frozen=True)
class InboxSize:
    threads: int  # threads of the one staff member
    messages_per_thread: int
    total_messages: int  # in the whole database, the rest in threads between other people
    other_messages_per_thread: int


FULL_INBOX = InboxSize(threads=10_000, messages_per_thread=30, total_messages=1_000_000, other_messages_per_thread=20)
SMOKE_INBOX = InboxSize(threads=40, messages_per_thread=5, total_messages=300, other_messages_per_thread=5)

# Words for generated messages: everyday school and daycare words, then compounds of them, 20,000 in all.
# Text draws them with a Zipf-like skew (the first words far more often), so a search finds a common word
# in many messages and a rare one in few, as in real inboxes.
_VOCABULARY = (
    "i dag og er vi det til på med en at har for som ikke så der skal kan de hej tak børnene barnet "
    "forældre klassen stuen mad madpakke tøj regntøj gummistøvler skiftetøj tur skoven legepladsen "
    "stranden biblioteket svømning idræt musik tegning lektier læsning matematik dansk engelsk natur "
    "teknik billedkunst historie forældremøde skole-hjem-samtale sygdom feber hoste forkølelse hovedpine "
    "lus skoldkopper ferie sommerferie efterårsferie vinterferie juleferie fridag lukkedag "
    "planlægningsdag fødselsdag kage boller frugt vandflaske rygsæk madkasse hjemmesko navneskilte "
    "billeder fotograf fotografering udflugt zoologisk akvariet museum teater koncert juleklip fastelavn "
    "tøndeslagning sankthans lejrskole overnatning sovepose lommelygte tandbørste pyjamas bamse sutteklud "
    "ble vuggestue børnehave dagplejer legestue pædagog lærer leder sekretær sundhedsplejerske tandlæge "
    "talepædagog psykolog trivsel venskaber konflikt drilleri mobning samarbejde tilmelding afmelding "
    "samtykke underskrift blanket skema kalender tidspunkt aftale mødested afhentning bedsteforældre "
    "søskende cykelhjelm refleks trafik busbillet kørsel samkørsel regnvejr solcreme solhat vanter hue "
    "halstørklæde flyverdragt termotøj uldtøj snedragt bålmad snobrød pandekager æblekage grød frokost "
    "eftermiddagsmad mellemmåltid allergi nøddeallergi glutenfri laktosefri vegetar halal medicin astma "
    "eksem plaster skadestue forsikring hittegods glemt fundet mistet taske jakke sko støvler hjelm ur "
    "mobiltelefon tablet computer printer skærm projektor tavle kridt blyanter viskelæder lineal saks lim"
)


def _vocabulary(size: int = 20_000) -> tuple[str, ...]:
    base = _VOCABULARY.split()
    compounds = [f"{a}{b}" for a in base for b in base if a != b and len(a) > 2 and len(b) > 2]
    random.Random(20).shuffle(compounds)
    return tuple(dict.fromkeys(base + compounds))[:size]


WORDS = _vocabulary()
SKEW = 3  # a word's share of the text falls with its rank r roughly as r^(-2/3)
# Searched for in the inbox scenario: a common word, and ever rarer ones.
SEARCH_WORDS = (WORDS[25], WORDS[40], WORDS[400], WORDS[4_000], WORDS[15_000])


def build(smoke: bool) -> str:
    """Migrate, then build Havnby and the scale municipality (tiny in smoke mode) where missing."""
    call_command("migrate", interactive=False, verbosity=0)
    build_havnby()
    summary = build_esbjerg_scale(SMOKE_SPEC if smoke else ESBJERG)
    forget_broadcasts()
    tidy()
    return summary


def forget_broadcasts() -> int:
    """Remove the broadcasts of earlier runs: the threads the bench's municipal administrator started, with
    their subscriptions and notifications. Each run's three broadcasts write 86,000 of each; kept, they made
    every later run's broadcast write into larger tables than the first run's (its ratio to the raw insert went
    from 4.0 to 5.1 over six runs on one machine). Every run now starts from the same broadcasts: none."""
    threads = list(Thread.objects.filter(creator__person__login__username=ADMIN_USERNAME).values_list("id", flat=True))
    if not threads:
        return 0
    with transaction.atomic():
        Notification.objects.filter(thread_id__in=threads).delete()
        Subscription.objects.filter(thread_id__in=threads).delete()
        Thread.objects.filter(reply_to_id__in=threads).update(reply_to=None)
        Thread.objects.filter(id__in=threads).update(last_message=None)
        Message.objects.filter(thread_id__in=threads).delete()
        Thread.objects.filter(id__in=threads).delete()
    return len(threads)


def tidy() -> None:
    """VACUUM and ANALYZE, as autovacuum would have done by now: the planner needs statistics of the bulk-built
    tables (without them it misjudges every join) and index-only scans need the visibility map."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def analyze() -> None:
    """ANALYZE, as autovacuum would have by the next scenario: it analyses a table once a tenth of it has changed,
    within a minute. Without it a scenario ran on statistics of the data before the last one, and PostgreSQL kept
    plans made on them for the connection's lifetime, its foreign-key checks' among them: on a fresh database the
    thread table was empty when analysed, the messages scenario then wrote a thousand threads, and each of the
    broadcast's 28,603 checks of its thread read the whole table (its commit took 5.4–5.6 s, against 0.3)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def scale_municipality() -> Municipality:
    return Municipality.objects.get(code=SCALE_CODE)


# --- Logins and tokens --------------------------------------------------------------------------------


def tokens_for(usernames: list[str]) -> dict[str, str]:
    """A fresh Aula API access token per login (a sign-in without a password hash to check)."""
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = sorted(set(usernames) - set(users))
    if missing:
        raise LookupError(f"no such logins: {', '.join(missing[:5])}")
    return {name: issue_token(users[name]) for name in usernames}


def ensure_municipal_admin() -> str:
    """A municipal administrator of the scale municipality with a staff profile at its administration."""
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return ADMIN_USERNAME
    municipality = scale_municipality()
    with transaction.atomic():
        user = User.objects.create(
            username=ADMIN_USERNAME, first_name="Kirsten", last_name="Kommune", password=make_password(DEMO_PASSWORD)
        )
        person = Person.objects.create(login=user, first_name="Kirsten", last_name="Kommune")
        MunicipalAdministrator.objects.create(person=person, municipality=municipality)
        administration, _created = Institution.objects.get_or_create(
            code=f"{SCALE_CODE}00",
            defaults={
                "municipality": municipality,
                "name": f"{municipality.name}, Børn og Unge",
                "kind": InstitutionKind.ADMINISTRATION,
            },
        )
        InstitutionProfile.objects.create(
            person=person,
            institution=administration,
            role=ProfileRole.EMPLOYEE,
            job_role=JobRole.OTHER,
            is_institution_admin=True,
        )
    return ADMIN_USERNAME


def everyone_group() -> Group:
    """The scale municipality's "Alle forældre i …" cross-institution group."""
    return Group.objects.get(
        municipality=scale_municipality(), kind=GroupKind.CROSS_INSTITUTION, name__startswith="Alle forældre"
    )


def guardians_reached(group: Group) -> int:
    """How many people a message to the group's guardians reaches (one per person)."""
    leaves = messaging_queries.expand_groups([(group.id, "guardian")])
    select_sql, params = messaging_queries.recipients_select_sql(messaging_queries.recipient_selects(leaves, []))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({select_sql}) AS r", params)  # noqa: S608 — SQL of messaging.queries
        return int(cursor.fetchone()[0])


# --- Who does what in the scenarios ---------------------------------------------------------------------


def _login_of_profile(profile_ids: list[int]) -> dict[int, str]:
    rows = InstitutionProfile.objects.filter(id__in=profile_ids, person__login__isnull=False).values_list(
        "id", "person__login__username"
    )
    return dict(rows)


@dataclass(frozen=True)
class CheckinPlan:
    staff: list[tuple[str, int, list[int]]]  # login, institution, the children they check in (no child twice)
    guardians: list[str]


def checkin_plan(staff_count: int, guardian_count: int) -> CheckinPlan:
    """Pedagogues at the scale municipality's daycare institutions, spread over the institutions, each with
    a share of their institution's children; and guardians of daycare children."""
    municipality = scale_municipality()
    daycares = list(
        Institution.objects.filter(municipality=municipality, kind=InstitutionKind.DAYCARE)
        .order_by("code")
        .values_list("id", flat=True)
    )
    pedagogues: dict[int, list[int]] = defaultdict(list)
    for profile_id, institution_id in (
        InstitutionProfile.objects.filter(
            institution_id__in=daycares, role=ProfileRole.EMPLOYEE, job_role=JobRole.PEDAGOGUE, is_active=True
        )
        .order_by("id")
        .values_list("id", "institution_id")
    ):
        pedagogues[institution_id].append(profile_id)
    chosen: dict[int, list[int]] = defaultdict(list)
    rounds = 0
    while sum(len(v) for v in chosen.values()) < staff_count and rounds < 100:
        for institution_id in daycares:
            available = pedagogues[institution_id]
            if len(chosen[institution_id]) < len(available) and sum(len(v) for v in chosen.values()) < staff_count:
                chosen[institution_id].append(available[len(chosen[institution_id])])
        rounds += 1
    children: dict[int, list[int]] = defaultdict(list)
    for child_id, institution_id in (
        InstitutionProfile.objects.filter(institution_id__in=list(chosen), role=ProfileRole.CHILD, is_active=True)
        .order_by("id")
        .values_list("id", "institution_id")
    ):
        children[institution_id].append(child_id)
    logins = _login_of_profile([p for ps in chosen.values() for p in ps])
    staff = []
    for institution_id, profile_ids in chosen.items():
        for k, profile_id in enumerate(profile_ids):
            staff.append((logins[profile_id], institution_id, children[institution_id][k :: len(profile_ids)]))
    guardian_logins = list(
        InstitutionProfile.objects.filter(
            institution_id__in=daycares, role=ProfileRole.GUARDIAN, is_active=True, person__login__isnull=False
        )
        .order_by("id")
        .values_list("person__login__username", flat=True)
        .distinct()[: guardian_count * 3 : 3]
    )
    return CheckinPlan(staff, guardian_logins)


def daily_overview_children(logins: list[str]) -> dict[str, list[int]]:
    """The children each guardian's komme/gå shows (their institution profiles), as the app asks for their
    daily overview: the children the guardian acts for, at komme/gå institutions."""
    users = dict(User.objects.filter(username__in=logins).values_list("username", "id"))
    today = timezone.localdate()
    result = {}
    for login in logins:
        viewer = build_viewer(users[login], "guardian", 2)
        result[login] = [row.profile.id for row in presence_queries.guardian_children(viewer, today)]
    return result


def reset_todays_presence() -> int:
    """Forget today's komme/gå days in the scale municipality, so check-ins write again."""
    deleted, _by_model = PresenceDay.objects.filter(
        child__institution__municipality=scale_municipality(), date=timezone.localdate()
    ).delete()
    return deleted


@dataclass(frozen=True)
class Sender:
    login: str
    role: str  # portal role
    recipients: list[int]  # profiles the sender may write to
    per_message: tuple[int, int]  # how many of them one message goes to (min, max)


def message_senders(staff_count: int, guardian_count: int, seed: int = 7) -> list[Sender]:
    """Staff writing to 1–30 guardians of their institution, guardians writing to 1–3 staff of their
    child's institution. Every recipient is checked with the same rule the send uses."""
    rng = random.Random(seed)
    municipality = scale_municipality()
    staff_profiles = list(
        InstitutionProfile.objects.filter(
            institution__municipality=municipality,
            institution__kind__in=[InstitutionKind.DAYCARE, InstitutionKind.SCHOOL],
            role=ProfileRole.EMPLOYEE,
            job_role__in=[JobRole.PEDAGOGUE, JobRole.TEACHER],
            is_active=True,
        )
        .order_by("id")
        .values_list("id", "institution_id")
    )
    rng.shuffle(staff_profiles)
    senders: list[Sender] = []
    logins = _login_of_profile([p for p, _ in staff_profiles[: staff_count * 2]])
    for profile_id, institution_id in staff_profiles[: staff_count * 2]:
        if len(senders) >= staff_count or profile_id not in logins:
            continue
        guardians = list(
            InstitutionProfile.objects.filter(institution_id=institution_id, role=ProfileRole.GUARDIAN, is_active=True)
            .order_by("id")
            .values_list("id", flat=True)[:200]
        )
        reachable = _reachable(logins[profile_id], "employee", guardians)
        if len(reachable) >= 30:
            senders.append(Sender(logins[profile_id], "employee", reachable, (1, 30)))
    guardian_profiles = list(
        InstitutionProfile.objects.filter(
            institution__municipality=municipality,
            institution__kind=InstitutionKind.DAYCARE,
            role=ProfileRole.GUARDIAN,
            is_active=True,
            person__login__isnull=False,
        )
        .order_by("id")
        .values_list("id", "institution_id")[: guardian_count * 40 : 20]
    )
    logins = _login_of_profile([p for p, _ in guardian_profiles])
    taken: set[str] = {s.login for s in senders}
    for profile_id, institution_id in guardian_profiles:
        login = logins.get(profile_id)
        if login is None or login in taken or len(senders) >= staff_count + guardian_count:
            continue
        staff = list(
            InstitutionProfile.objects.filter(institution_id=institution_id, role=ProfileRole.EMPLOYEE, is_active=True)
            .order_by("id")
            .values_list("id", flat=True)[:40]
        )
        reachable = _reachable(login, "guardian", staff)
        if len(reachable) >= 3:
            taken.add(login)
            senders.append(Sender(login, "guardian", reachable, (1, 3)))
    return senders


def _reachable(login: str, role: str, profile_ids: list[int]) -> list[int]:
    user_id = User.objects.filter(username=login).values_list("id", flat=True).get()
    viewer = build_viewer(user_id, role, 2)
    return sorted(messaging_queries.reachable_profile_ids(viewer, profile_ids))


@dataclass(frozen=True)
class OverviewPeople:
    scale_guardian: str
    scale_staff: str
    demo_guardian: str
    demo_staff: str


def overview_people() -> OverviewPeople:
    """A guardian with children at two institutions and a daycare pedagogue, at both scales."""
    municipality = scale_municipality()
    guardian = (
        Person.objects.filter(
            login__username__startswith="g",
            profiles__role=ProfileRole.GUARDIAN,
            profiles__institution__municipality=municipality,
            profiles__institution__kind=InstitutionKind.DAYCARE,
        )
        .annotate(n=Count("child_relations", distinct=True))
        .filter(n__gte=2)
        .order_by("id")
        .values_list("login__username", flat=True)
        .first()
    )
    staff = (
        InstitutionProfile.objects.filter(
            institution__municipality=municipality,
            institution__kind=InstitutionKind.DAYCARE,
            role=ProfileRole.EMPLOYEE,
            job_role=JobRole.PEDAGOGUE,
            person__login__isnull=False,
        )
        .order_by("id")
        .values_list("person__login__username", flat=True)
        .first()
    )
    if guardian is None or staff is None:
        raise LookupError("the scale municipality has no guardian with two children or no pedagogue")
    return OverviewPeople(guardian, staff, "mette", "karin")


# --- The large inbox -------------------------------------------------------------------------------------


def inbox_owner() -> tuple[str, int]:
    """The staff member whose inbox holds the many threads: the first teacher of the scale municipality."""
    row = (
        InstitutionProfile.objects.filter(
            institution__municipality=scale_municipality(),
            institution__kind=InstitutionKind.SCHOOL,
            role=ProfileRole.EMPLOYEE,
            job_role=JobRole.TEACHER,
            is_active=True,
            person__login__isnull=False,
        )
        .order_by("id")
        .values_list("person__login__username", "id")
        .first()
    )
    if row is None:
        raise LookupError("the scale municipality has no teacher")
    return row


def ensure_large_inbox(size: InboxSize) -> dict[str, int]:
    """Give the inbox owner `size.threads` threads and fill the database up to `size.total_messages`
    messages, set-based. Done once; later runs find it done."""
    _login, profile_id = inbox_owner()
    have_threads = Subscription.objects.filter(profile_id=profile_id).count()
    if have_threads < size.threads:
        partners = _profiles(ProfileRole.GUARDIAN, exclude_person_of=profile_id, limit=5_000)
        _generate_threads(
            [profile_id], partners, size.threads - have_threads, size.messages_per_thread, first=have_threads
        )
    have_messages = Message.objects.count()
    if have_messages < size.total_messages:
        threads = -(-(size.total_messages - have_messages) // size.other_messages_per_thread)
        staff = _profiles(ProfileRole.EMPLOYEE, exclude_person_of=profile_id, limit=2_000)
        guardians = _profiles(ProfileRole.GUARDIAN, exclude_person_of=profile_id, limit=20_000)
        _generate_threads(staff, guardians, threads, size.other_messages_per_thread, first=0)
    tidy()
    return {
        "owner_threads": Subscription.objects.filter(profile_id=profile_id).count(),
        "messages": Message.objects.count(),
    }


def _profiles(role: str, *, exclude_person_of: int, limit: int) -> list[int]:
    """Profiles in `role` of people with a login; guardians who also work here are left out, so the two
    people of a generated thread are never one person."""
    person_id = InstitutionProfile.objects.values_list("person_id", flat=True).get(pk=exclude_person_of)
    profiles = InstitutionProfile.objects.filter(
        institution__municipality=scale_municipality(), role=role, is_active=True, person__login__isnull=False
    ).exclude(person_id=person_id)
    if role == ProfileRole.GUARDIAN:
        profiles = profiles.exclude(person__profiles__role=ProfileRole.EMPLOYEE)
    return list(profiles.order_by("id").values_list("id", flat=True)[:limit])


def _generate_threads(owners: list[int], partners: list[int], count: int, per_thread: int, first: int) -> None:
    """`count` two-person threads (an owner and a partner) of `per_thread` messages each."""
    if count <= 0:
        return
    if connection.vendor == "postgresql":
        _generate_threads_sql(owners, partners, count, per_thread, first)
    else:
        _generate_threads_orm(owners, partners, count, per_thread, first)


def _words_sql(n: str, m: str, count: int) -> str:
    """SQL for `count` words, looked up by rank in bench_words, skewed towards the common ones; the
    choice is a hash of the numbers n and m, so the same numbers give the same words."""
    rank = (
        f"floor(%(nwords)s * power(((({n})::bigint * 1009 + ({m})) * (7919 + k * 104729) %% 1000003) "
        f"/ 1000003.0, {SKEW}))::int"
    )
    return (
        f"(SELECT string_agg(w.word, ' ' ORDER BY k) FROM generate_series(1, {count}) AS k "  # noqa: S608
        f"JOIN bench_words w ON w.rank = {rank})"
    )


def _generate_threads_sql(owners: list[int], partners: list[int], count: int, per_thread: int, first: int) -> None:
    params: dict[str, Any] = {
        "owners": owners,
        "partners": partners,
        "count": count,
        "first": first,
        "per_thread": per_thread,
        "words": list(WORDS),
        "nwords": len(WORDS),
        "municipality": scale_municipality().id,
    }
    subject = _words_sql("t.n", "0", 4)
    text = "'<p>' || " + _words_sql("t.n", "m", 10) + " || '</p>'"
    statements = [
        "CREATE TEMP TABLE bench_words ON COMMIT DROP AS "
        "SELECT (u.n - 1)::int AS rank, u.word FROM unnest(%(words)s::text[]) WITH ORDINALITY AS u(word, n)",
        "ALTER TABLE bench_words ADD PRIMARY KEY (rank)",
        "ANALYZE bench_words",
        "CREATE TEMP TABLE bench_threads ON COMMIT DROP AS "
        "SELECT g AS n, nextval(pg_get_serial_sequence('messaging_thread', 'id')) AS id, "
        "(%(owners)s::bigint[])[1 + g %% cardinality(%(owners)s::bigint[])] AS owner, "
        "(%(partners)s::bigint[])[1 + (g * 7) %% cardinality(%(partners)s::bigint[])] AS partner, "
        "now() - make_interval(mins => g * 11) AS at "
        "FROM generate_series(%(first)s + 1, %(first)s + %(count)s) AS g",
        "INSERT INTO messaging_thread (id, created_at, updated_at, municipality_id, "  # noqa: S608 — constant SQL
        "subject, creator_id, is_sensitive, is_broadcast, last_message_at, participant_count) "
        f"SELECT t.id, t.at, t.at, %(municipality)s, {subject}, "
        "CASE WHEN t.n %% 2 = 0 THEN t.owner ELSE t.partner END, FALSE, FALSE, t.at, 2 FROM bench_threads t",
        "INSERT INTO messaging_subscription "
        "(thread_id, person_id, profile_id, last_message_at, is_read, marked, muted) "
        "SELECT t.id, p.person_id, p.id, t.at, t.n %% 5 <> 0, FALSE, FALSE "
        "FROM bench_threads t JOIN institutions_institutionprofile p ON p.id = t.owner "
        "UNION ALL "
        "SELECT t.id, p.person_id, p.id, t.at, TRUE, FALSE, FALSE "
        "FROM bench_threads t JOIN institutions_institutionprofile p ON p.id = t.partner",
        "INSERT INTO messaging_message (thread_id, kind, sender_id, text, sent_at) "  # noqa: S608 — from constants
        f"SELECT t.id, 'message', CASE WHEN m %% 2 = 1 THEN t.partner ELSE t.owner END, {text}, "
        "t.at - make_interval(mins => (%(per_thread)s - m) * 3) "
        "FROM bench_threads t CROSS JOIN generate_series(1, %(per_thread)s) AS m",
        "UPDATE messaging_thread th SET last_message_id = last.id FROM ("
        "SELECT DISTINCT ON (msg.thread_id) msg.thread_id, msg.id FROM messaging_message msg "
        "JOIN bench_threads t ON t.id = msg.thread_id ORDER BY msg.thread_id, msg.sent_at DESC, msg.id DESC"
        ") AS last WHERE th.id = last.thread_id",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


def _skewed(rng: random.Random, count: int) -> list[str]:
    return [WORDS[int(len(WORDS) * rng.random() ** SKEW)] for _ in range(count)]


def _generate_threads_orm(owners: list[int], partners: list[int], count: int, per_thread: int, first: int) -> None:
    """The same threads on SQLite (smoke sizes only), with bulk_create."""
    person_of = dict(InstitutionProfile.objects.filter(id__in=owners + partners).values_list("id", "person_id"))
    municipality = scale_municipality()
    now = timezone.now()
    rng = random.Random(first)
    with transaction.atomic():
        for n in range(first + 1, first + count + 1):
            owner, partner = owners[n % len(owners)], partners[(n * 7) % len(partners)]
            at = now - timedelta(minutes=11 * n)
            subject = " ".join(_skewed(rng, 4))
            thread = Thread.objects.create(
                municipality=municipality,
                subject=subject,
                creator_id=owner if n % 2 == 0 else partner,
                last_message_at=at,
                participant_count=2,
            )
            Subscription.objects.bulk_create(
                [
                    Subscription(
                        thread=thread,
                        person_id=person_of[owner],
                        profile_id=owner,
                        last_message_at=at,
                        is_read=n % 5 != 0,
                    ),
                    Subscription(
                        thread=thread,
                        person_id=person_of[partner],
                        profile_id=partner,
                        last_message_at=at,
                        is_read=True,
                    ),
                ]
            )
            messages = Message.objects.bulk_create(
                [
                    Message(
                        thread=thread,
                        sender_id=partner if m % 2 == 1 else owner,
                        text="<p>" + " ".join(_skewed(rng, 10)) + "</p>",
                        sent_at=at - timedelta(minutes=3 * (per_thread - m)),
                    )
                    for m in range(1, per_thread + 1)
                ]
            )
            Thread.objects.filter(pk=thread.pk).update(last_message=messages[-1])


# --- The broadcast --------------------------------------------------------------------------------------


def broadcast_sample(count: int, seed: int = 3) -> list[str]:
    """Logins of guardians with custody in the scale municipality, a seeded sample."""
    logins = list(
        Person.objects.filter(
            login__isnull=False,
            child_relations__has_custody=True,
            profiles__role=ProfileRole.GUARDIAN,
            profiles__institution__municipality=scale_municipality(),
        )
        .order_by("id")
        .values_list("login__username", flat=True)
        .distinct()
    )
    return random.Random(seed).sample(logins, min(count, len(logins)))


def person_ids(logins: list[str]) -> list[int]:
    return list(Person.objects.filter(login__username__in=logins).values_list("id", flat=True))


def subscriptions_of(thread_id: int) -> int:
    """Recipients of a thread: its subscriptions less the one of its starter."""
    creator = Thread.objects.filter(pk=thread_id).values_list("creator__person_id", flat=True).first()
    starter = Q(person_id__isnull=True) if creator is None else Q(person_id=creator)
    return Subscription.objects.filter(thread_id=thread_id).exclude(starter).count()


def notifications_of(thread_id: int, persons: list[int] | None = None) -> int:
    """Notifications written about the thread's latest message (for `persons` only, when given)."""
    message_id = Thread.objects.filter(pk=thread_id).values_list("last_message_id", flat=True).first()
    rows = Notification.objects.filter(dedupe_key=f"message:{message_id}")
    if persons is not None:
        rows = rows.filter(person_id__in=persons)  # the (person, dedupe_key) index answers this at once
    return rows.count()


# --- Komme/gå pages -----------------------------------------------------------------------------------------


def url_or_none(name: str, *args: object) -> str | None:
    """The path of a named URL, or None where that page does not exist (yet)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def workplace_of(login: str) -> int:
    """The institution of a staff member's first staff profile (where their day view is)."""
    return (
        InstitutionProfile.objects.filter(person__login__username=login, role=ProfileRole.EMPLOYEE, is_active=True)
        .order_by("id")
        .values_list("institution_id", flat=True)
        .first()
        or 0
    )


def check_in_institution_of(login: str) -> int:
    """Give every child at the staff member's institution a day with status present today (where it has
    none), so day views at both scales show a morning with children in, whatever the hour of the run."""
    from kinabog.presence.models import Status

    now = timezone.now()
    children = InstitutionProfile.objects.filter(
        institution_id=workplace_of(login), role__in=[ProfileRole.CHILD, ProfileRole.PUPIL], is_active=True
    ).values_list("id", flat=True)
    days = [
        PresenceDay(child_id=child_id, date=timezone.localdate(now), status=Status.PRESENT, check_in_at=now)
        for child_id in children
    ]
    return len(PresenceDay.objects.bulk_create(days, ignore_conflicts=True))


# --- Posts and events for the overview pages ----------------------------------------------------------------

FEED_MARKER = "Ugebrev"
PER_GROUP = 3


def ensure_posts_and_events() -> int:
    """Three posts and three events of this week in every main group of both municipalities, once.

    The overview feed and the calendar then read real rows at both scales: the Esbjerg-scale database
    holds about a thousand times the demo's, so a query that grows with the data shows in the figures.
    """
    from kinabog.calendar.models import Event
    from kinabog.posts.models import Post, PostGroup

    if Post.objects.filter(title__startswith=FEED_MARKER).exists():
        return 0
    main_groups = Group.objects.filter(kind=GroupKind.MAIN, institution__isnull=False)
    groups = list(main_groups.values_list("id", "institution_id"))
    now = timezone.now()
    monday = timezone.localdate(now) - timedelta(days=timezone.localdate(now).weekday())
    zone = timezone.get_current_timezone()
    with transaction.atomic():
        posts = Post.objects.bulk_create(
            [
                Post(
                    institution_id=institution_id,
                    title=f"{FEED_MARKER} {n + 1}",
                    content="<p>Husk madpakke og regntøj. Vi går i skoven om tirsdagen.</p>",
                    for_guardians=True,
                    for_employees=True,
                    published_at=now - timedelta(days=n, minutes=group_id % 600),
                )
                for group_id, institution_id in groups
                for n in range(PER_GROUP)
            ],
            batch_size=5000,
        )
        PostGroup.objects.bulk_create(
            [
                PostGroup(post_id=post.id, group_id=group_id)
                for (group_id, _), chunk in zip(groups, _chunks(posts, PER_GROUP), strict=True)
                for post in chunk
            ],
            batch_size=5000,
        )
        events = Event.objects.bulk_create(
            [
                Event(
                    institution_id=institution_id,
                    title=f"Tur {n + 1}",
                    place="Skoven",
                    starts_at=datetime.combine(monday + timedelta(days=n), time(9), zone),
                    ends_at=datetime.combine(monday + timedelta(days=n), time(12), zone),
                )
                for group_id, institution_id in groups
                for n in range(PER_GROUP)
            ],
            batch_size=5000,
        )
        through = Event.groups.through
        through.objects.bulk_create(
            [
                through(event_id=event.id, group_id=group_id)
                for (group_id, _), chunk in zip(groups, _chunks(events, PER_GROUP), strict=True)
                for event in chunk
            ],
            batch_size=5000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (Post._meta.db_table, PostGroup._meta.db_table, Event._meta.db_table, through._meta.db_table):
                cursor.execute(f'ANALYZE "{table}"')
    return len(posts) + len(events)


def _chunks(rows: list, size: int) -> list[list]:  # type: ignore[type-arg]
    return [rows[i : i + size] for i in range(0, len(rows), size)]

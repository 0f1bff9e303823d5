"""The scenarios: each prepares its data and users, drives load over HTTP and returns one result object.

Every result has the same keys (report.RESULT_KEYS; null where a figure does not apply to the scenario)
and a `detail` object with per-request-kind figures and the load's shape. docs/performance.md describes
each scenario and its target.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from . import fixtures
from .driver import Client, Load, Recorder, Response, Sample, Stats, expect_envelope, expect_status
from .report import Options, ratio, result, rounded
from .stack import BIN, CpuReading, Stack, cpu_split

API = "/api/v24/"
Step = Callable[[Client, Recorder], Awaitable[None]]
# A load whose ratio to the ceiling is a target is measured in this many turns, each right after one of the ceiling.
TURNS = 4


@dataclass
class Run:
    """What scenarios share in one run: the stack, the options and the ceiling once it is measured."""

    stack: Stack
    options: Options
    ceiling_rps: float | None = None
    # The ceiling's signed-in clients and their step, for the turns of the ceiling beside a later load.
    ceiling_load: tuple[list[Client], Step] | None = None
    notes: list[str] = field(default_factory=list)

    def client(self, name: str = "") -> Client:
        return Client("127.0.0.1", self.stack.port, name=name)


def load_detail(stats: Stats, clients: int) -> dict[str, Any]:
    return {
        "clients": clients,
        "seconds": round(stats.seconds, 2),
        "requests": stats.requests,
        "by_request": stats.by_name(),
        "problems": stats.problems(),
        "cpu_ms_per_request": stats.cpu_ms_per_request,
    }


# --- Signing in -------------------------------------------------------------------------------------------


async def sign_in(client: Client, token: str, role: str) -> None:
    """The Aula API session bootstrap: the token opens a cookie session, then the portal role is chosen."""
    for path in (
        f"{API}?method=profiles.getProfilesByLogin&access_token={token}",
        f"{API}?method=profiles.getProfileContext&portalrole={role}",
    ):
        response = await client.get(path)
        problem = expect_envelope(response)
        if problem:
            raise RuntimeError(f"signing in {client.name} as {role} failed: {problem}")


async def signed_in(run: Run, people: list[tuple[str, str]], parallel: int = 8) -> list[Client]:
    """One signed-in client per (login, portal role); the same login may appear more than once."""
    tokens = fixtures.tokens_for(sorted({login for login, _role in people}))
    clients = [run.client(login) for login, _role in people]
    gate = asyncio.Semaphore(parallel)

    async def one(client: Client, role: str) -> None:
        async with gate:
            await sign_in(client, tokens[client.name], role)
            await client.close()

    await asyncio.gather(*(one(c, role) for c, (_login, role) in zip(clients, people, strict=True)))
    return clients


def csrf_header(client: Client) -> dict[str, str]:
    return {"csrfp-token": client.cookies.get("Csrfp-Token", "")}


async def close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients))


# --- ceiling ----------------------------------------------------------------------------------------------


async def ceiling(run: Run) -> dict[str, Any]:
    """GET /api/ping: session, one primary-key read, JSON. What Django can do on this machine."""
    options = run.options
    logins = [f"g{n:06d}" for n in range(1, options.clients + 1)]
    clients = await signed_in(run, [(login, "guardian") for login in logins])

    async def step(client: Client, recorder: Recorder) -> None:
        await recorder.call("ping", client.get("/api/ping"), expect_status(200))

    stats = await profiled(run, "ceiling", options.load().run(clients, step))
    await close_all(clients)
    run.ceiling_rps = stats.requests_per_s
    run.ceiling_load = (clients, step)
    return result("ceiling", stats, ratio_to_ceiling=1.0, detail=load_detail(stats, len(clients)))


# --- messages ---------------------------------------------------------------------------------------------


async def messages(run: Run) -> dict[str, Any]:
    """The morning mix: staff and guardians start ordinary threads (1–30 recipients) and read their inbox."""
    options = run.options
    staff_count = max(1, options.clients // 2)
    senders = fixtures.message_senders(staff_count, options.clients - staff_count)
    if not senders:
        raise RuntimeError("no senders found in the scale municipality")
    clients = await signed_in(run, [(s.login, s.role) for s in senders])
    rng = random.Random(11)
    for client, sender in zip(clients, senders, strict=True):
        client.data["sender"] = sender

    async def step(client: Client, recorder: Recorder) -> None:
        sender: fixtures.Sender = client.data["sender"]
        low, high = sender.per_message
        chosen = rng.sample(sender.recipients, min(len(sender.recipients), rng.randint(low, high)))
        body = {
            "subject": f"Besked {uuid.uuid4().hex[:8]}",
            "message": {"text": "<p>Husk madpakke og regntøj i morgen. Vi skal i skoven.</p>"},
            "recipients": [{"id": pid, "mailBoxOwnerType": "institutionProfile"} for pid in chosen],
        }
        await recorder.call(
            "send",
            client.post(f"{API}?method=messaging.startNewThread", json_body=body, headers=csrf_header(client)),
            expect_envelope,
        )
        await recorder.call("inbox", client.get(f"{API}?method=messaging.getThreads&page=0"), expect_envelope)

    stats = await profiled(run, "messages", options.load().run(clients, step))
    await close_all(clients)
    sent_per_s = stats.count("send") / stats.seconds
    detail = load_detail(stats, len(clients))
    detail["senders"] = {role: sum(s.role == role for s in senders) for role in ("employee", "guardian")}
    detail["send_p95_ms"] = round(stats.p(95, "send"), 1)
    return result(
        "messages",
        stats,
        messages_per_s=round(sent_per_s, 1),
        ratio_to_ceiling=ratio(stats.requests_per_s, run.ceiling_rps),
        detail=detail,
    )


# --- broadcast --------------------------------------------------------------------------------------------


def raw_insert_seconds(rows: int) -> float:
    """INSERT … SELECT of `rows` guardian profiles into a scratch table shaped like the subscriptions
    (primary key, the inbox index, one row per thread and person), committed; the table is dropped after."""
    table = "bench_scratch_subscription"
    postgres = connection.vendor == "postgresql"
    key = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" if postgres else "id INTEGER PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TABLE {table} ({key}, thread_id BIGINT NOT NULL, person_id BIGINT NOT NULL, "
            "profile_id BIGINT NOT NULL, last_message_at TIMESTAMP WITH TIME ZONE NOT NULL, "
            "is_read BOOLEAN NOT NULL, marked BOOLEAN NOT NULL, muted BOOLEAN NOT NULL)"
        )
        cursor.execute(f"CREATE UNIQUE INDEX {table}_person ON {table} (thread_id, person_id)")
        cursor.execute(f"CREATE INDEX {table}_inbox ON {table} (profile_id, last_message_at DESC, id DESC)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (thread_id, person_id, profile_id, last_message_at, is_read, marked, muted) "  # noqa: S608
            "SELECT 1, p.person_id, p.id, CURRENT_TIMESTAMP, FALSE, FALSE, FALSE "
            "FROM institutions_institutionprofile p WHERE p.role = 'guardian' AND p.id IN ("
            "SELECT MIN(q.id) FROM institutions_institutionprofile q WHERE q.role = 'guardian' GROUP BY q.person_id) "
            "ORDER BY p.id LIMIT %s",
            [rows],
        )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return seconds


POLL_WHILE_SENDING_S = 0.25
POLL_AFTER_SENT_S = 0.02


@dataclass
class BroadcastRound:
    """One message to every guardian, timed from the moment it is sent."""

    sent_s: float
    visible_s: float | None
    queued_s: float | None
    subscribed: int
    seen_after_the_answer_s: list[float]


async def broadcast(run: Run) -> dict[str, Any]:
    """A municipal administrator writes to every guardian of the municipality: time until each sampled
    recipient's inbox shows it, until every subscription and notification row is there, against a raw
    INSERT … SELECT of as many rows in the same database. Three rounds, each right after its own raw insert
    (a single send, like a single insert, varies by half between runs on a shared machine): the times are the
    medians of the rounds, the ratio the median of each round's send against its own insert, which shared
    the machine's state of that moment."""
    options = run.options
    admin = fixtures.ensure_municipal_admin()
    group = fixtures.everyone_group()
    expected = fixtures.guardians_reached(group)
    sample_size = 5 if options.smoke else 20
    pollers_logins = fixtures.broadcast_sample(sample_size)
    sample = fixtures.person_ids(pollers_logins)
    clients = await signed_in(run, [(admin, "employee")] + [(login, "guardian") for login in pollers_logins])
    sender, pollers = clients[0], clients[1:]
    recorder = Recorder()
    started = time.monotonic()
    raw_runs: list[float] = []
    rounds: list[BroadcastRound] = []
    for number in range(1 if options.smoke else 3):
        if number:
            await asyncio.sleep(2)  # the worker's last writes settle
        raw_runs.append(raw_insert_seconds(expected))
        rounds.append(await broadcast_round(recorder, sender, pollers, group.id, expected, sample, options.smoke))
    await close_all(clients)
    raw_seconds = statistics.median(raw_runs)
    visible = [r.visible_s for r in rounds]
    queued = [r.queued_s for r in rounds]
    visible_s = statistics.median(visible) if None not in visible else None  # type: ignore[type-var]
    queued_s = statistics.median(queued) if None not in queued else None  # type: ignore[type-var]
    paired = [ratio(r.visible_s, raw) for raw, r in zip(raw_runs, rounds, strict=True)]
    paired_ratio = statistics.median(paired) if None not in paired else None  # type: ignore[type-var]
    stats = Stats(recorder.samples, max(time.monotonic() - started, 1e-6))
    missed = sum(len(pollers) - len(r.seen_after_the_answer_s) for r in rounds)
    errors = stats.errors + missed + sum(r.subscribed < expected for r in rounds)
    row = result(
        "broadcast",
        stats,
        broadcast_visible_s=rounded(visible_s, 3),
        notifications_queued_s=rounded(queued_s, 3),
        raw_insert_s=round(raw_seconds, 3),
        ratio_to_raw_insert=rounded(paired_ratio, 2),
        detail={
            "ratio_of_the_medians": ratio(visible_s, raw_seconds),
            "recipients_expected": expected,
            "subscriptions_written": [r.subscribed for r in rounds],
            "rounds": [
                {
                    "raw_insert_s": round(raw, 3),
                    "send_response_s": round(r.sent_s, 3),
                    "visible_s": rounded(r.visible_s, 3),
                    "notifications_queued_s": rounded(r.queued_s, 3),
                    "ratio_to_raw_insert": ratio(r.visible_s, raw),
                    "seen_after_the_answer_s": r.seen_after_the_answer_s,
                }
                for raw, r in zip(raw_runs, rounds, strict=True)
            ],
            "raw_insert_runs_s": [round(r, 3) for r in raw_runs],
            "sampled_recipients": len(pollers),
            "poll_interval_s": {"while_sending": POLL_WHILE_SENDING_S, "after_the_answer": POLL_AFTER_SENT_S},
            "by_request": stats.by_name(),
            "problems": stats.problems(),
        },
    )
    row["errors"] = errors
    # The send is what is timed: its latency and queries, not the pollers'.
    row["p50_ms"] = row["p95_ms"] = row["p99_ms"] = round(stats.p(50, "send_broadcast"), 1)
    row["queries_per_request"] = rounded(stats.queries_per_request("send_broadcast"))
    return row


async def broadcast_round(
    recorder: Recorder,
    sender: Client,
    pollers: list[Client],
    group_id: int,
    expected: int,
    sample: list[int],
    smoke: bool,
) -> BroadcastRound:
    subject = f"Til alle forældre {uuid.uuid4().hex[:8]}"
    body = {
        "subject": subject,
        "message": {"text": "<p>Kære forældre. Skolerne holder lukket fredag på grund af storm.</p>"},
        "recipients": [{"id": group_id, "mailBoxOwnerType": "group", "portalRole": "guardian"}],
    }
    started = time.monotonic()
    sent = asyncio.Event()
    seen_at: dict[str, float] = {}

    async def poll(client: Client, offset: float) -> None:
        # The pollers are the instrument, not the load: 20 of them in a tight loop would ask for more than
        # the machine's ceiling and time the send on a saturated machine, where its reference, the raw
        # insert, runs on an idle one. Until the send answers they sample every POLL_WHILE_SENDING_S
        # (staggered, about a fifth of the ceiling together); from its answer on, every POLL_AFTER_SENT_S. A
        # message visible before the answer is still seen, at most one interval late: the figure can only
        # come out later than the truth, never earlier.
        deadline = started + (30 if smoke else 120)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(sent.wait(), offset)  # staggered, but never past the answer
        while time.monotonic() < deadline:
            response = await recorder.call(
                "poll_inbox", client.get(f"{API}?method=messaging.getThreads&page=0"), expect_envelope
            )
            if response is not None and subject.encode() in response.body:
                seen_at[client.name] = time.monotonic() - started
                return
            if sent.is_set():
                await asyncio.sleep(POLL_AFTER_SENT_S)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(sent.wait(), POLL_WHILE_SENDING_S)

    async def send() -> Response | None:
        try:
            return await recorder.call(
                "send_broadcast",
                sender.post(f"{API}?method=messaging.startNewThread", json_body=body, headers=csrf_header(sender)),
                expect_envelope,
            )
        finally:
            sent.set()

    polling = [asyncio.create_task(poll(c, POLL_WHILE_SENDING_S * i / len(pollers))) for i, c in enumerate(pollers)]
    answer = await send()
    sent_s = time.monotonic() - started
    thread_id = int(answer.json()["data"]) if answer is not None else None
    queued_s = await notifications_queued(thread_id, expected, sample, started, 30 if smoke else 120)
    await asyncio.gather(*polling)
    return BroadcastRound(
        sent_s=sent_s,
        visible_s=max(seen_at.values()) if len(seen_at) == len(pollers) else None,
        queued_s=queued_s,
        subscribed=fixtures.subscriptions_of(thread_id) if thread_id else 0,
        seen_after_the_answer_s=sorted(round(at - sent_s, 3) for at in seen_at.values()),
    )


async def notifications_queued(
    thread_id: int | None, expected: int, sample: list[int], started: float, limit: float
) -> float | None:
    """Seconds from `started` until the broadcast's notifications are all written (None if they never are).

    The sampled recipients are watched through the notifications' (person, event) index; only then is
    the whole count taken, so the watching does not load the database while the send runs.
    """
    if thread_id is None:
        return None
    deadline = started + limit
    while time.monotonic() < deadline:
        sampled = await asyncio.to_thread(fixtures.notifications_of, thread_id, sample)
        if sampled >= len(sample) and await asyncio.to_thread(fixtures.notifications_of, thread_id) >= expected:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    return None


# --- overview ---------------------------------------------------------------------------------------------


SCALES = ("esbjerg", "demo")


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    path: Callable[[str], str]  # login → the page's path


async def overview(run: Run) -> dict[str, Any]:
    """A guardian's overview (with its feed of posts), a staff member's day view, and both people's calendar
    week, at Esbjerg's scale and at the demo's, side by side; every main group has posts and events at both
    scales. The scenario's own figures are the Esbjerg-scale pages'."""
    options = run.options
    people = fixtures.overview_people()
    pages = [Page("guardian_overview", "guardian", lambda _login: "/")]
    staff_day = staff_day_path()
    if staff_day is None:
        run.notes.append("overview: no staff day view yet; measured the guardian overview only")
    else:
        pages.append(Page("staff_day", "employee", staff_day))
        for login in (people.scale_staff, people.demo_staff):
            fixtures.check_in_institution_of(login)
    if fixtures.url_or_none("calendar:week") is not None:
        fixtures.ensure_posts_and_events()
        pages.append(Page("guardian_calendar", "guardian", lambda _login: fixtures.url_or_none("calendar:week") or "/"))
        pages.append(Page("staff_calendar", "employee", lambda _login: fixtures.url_or_none("calendar:week") or "/"))
    # Both scales of a page are measured side by side, one client each, in the same seconds: a machine whose
    # speed drifts by a third within a minute (see "The machine") then slows both alike, where measuring
    # them one after the other compared a fast moment with a slow one.
    per_page = options.duration / len(pages)
    figures: dict[str, dict[str, Any]] = {}
    measured: list[Sample] = []  # the Esbjerg-scale requests, and every failed request
    window = 0.0
    for page in pages:
        logins = {
            "esbjerg": people.scale_guardian if page.role == "guardian" else people.scale_staff,
            "demo": people.demo_guardian if page.role == "guardian" else people.demo_staff,
        }
        clients = await signed_in(run, [(logins[scale], page.role) for scale in SCALES])
        paths = {scale: page.path(logins[scale]) for scale in SCALES}
        for client, scale in zip(clients, SCALES, strict=True):
            client.data["scale"] = scale

        async def step(client: Client, recorder: Recorder, page: Page = page, paths: dict[str, str] = paths) -> None:
            scale = client.data["scale"]
            await recorder.call(f"{page.name}-{scale}", client.get(paths[scale]), expect_status(200))

        load = options.load(per_page).run(clients, step)
        stats = await profiled(run, f"overview-{page.name}", load, per_page)
        await close_all(clients)
        for scale in SCALES:
            name = f"{page.name}-{scale}"
            samples = [sample for sample in stats.samples if sample.name == name]
            figures.setdefault(page.name, {})[scale] = {
                "login": logins[scale],
                "p50_ms": round(stats.p(50, name), 1),
                "p95_ms": round(stats.p(95, name), 1),
                "queries_per_request": rounded(stats.queries_per_request(name)),
                "fewest_queries": stats.fewest_queries(name),
                "requests": len(samples),
                "errors": sum(1 for sample in samples if not sample.ok),
            }
            if scale == "esbjerg":
                measured.extend(samples)
            else:
                measured.extend(sample for sample in samples if not sample.ok)
        window += stats.seconds
    growth = {name: ratio(s["esbjerg"]["p95_ms"], s["demo"]["p95_ms"]) for name, s in figures.items()}
    # The steady state is compared: a worker's first request for a person also builds the cached Viewer.
    equal = all(s["esbjerg"]["fewest_queries"] == s["demo"]["fewest_queries"] for s in figures.values())
    stats = Stats(measured, max(window, 1e-6))
    return result(
        "overview",
        stats,
        growth_ratio=max((g for g in growth.values() if g is not None), default=None),
        ratio_to_ceiling=ratio(stats.requests_per_s, run.ceiling_rps),
        detail={"pages": figures, "growth_by_page": growth, "queries_equal_at_both_scales": equal},
    )


# --- inbox ------------------------------------------------------------------------------------------------


async def inbox(run: Run) -> dict[str, Any]:
    """Inbox pages and message search for a staff member with 10,000 threads among 1,000,000 messages."""
    options = run.options
    size = fixtures.SMOKE_INBOX if options.smoke else fixtures.FULL_INBOX
    prepared_at = time.monotonic()
    held = await asyncio.to_thread(fixtures.ensure_large_inbox, size)
    prepared_s = time.monotonic() - prepared_at
    login, _profile_id = fixtures.inbox_owner()
    clients = await signed_in(run, [(login, "employee")] * 2)
    rng = random.Random(5)

    async def step(client: Client, recorder: Recorder) -> None:
        page = rng.choice((0, 0, 0, 1, 2))
        await recorder.call("inbox_page", client.get(f"{API}?method=messaging.getThreads&page={page}"), expect_envelope)
        body = {"text": rng.choice(fixtures.SEARCH_WORDS), "limit": 20, "offset": 0}
        await recorder.call(
            "search",
            client.post(f"{API}?method=search.findMessage", json_body=body, headers=csrf_header(client)),
            expect_envelope,
        )

    stats = await profiled(run, "inbox", options.load().run(clients, step))
    await close_all(clients)
    detail = load_detail(stats, len(clients))
    detail.update(held, prepared_s=round(prepared_s, 1), owner=login)
    return result("inbox", stats, ratio_to_ceiling=ratio(stats.requests_per_s, run.ceiling_rps), detail=detail)


# --- komme/gå endpoints -------------------------------------------------------------------------------------


def staff_day_path() -> Callable[[str], str] | None:
    """The staff member's day view in komme/gå (their own room when they work in one), where it exists."""
    if fixtures.url_or_none("presence:staff", 1) is None:
        return None
    return lambda login: fixtures.url_or_none("presence:staff", fixtures.workplace_of(login)) or "/"


@dataclass(frozen=True)
class CheckinEndpoints:
    """Komme/gå as a pedagogue's phone uses it: a POST per tapped child from the day view's script, answered
    in place with the row's new state (JSON; without the script the form is answered with a redirect to the
    day view, which the overview scenario measures), and the guardian's page."""

    guardian_day_path: str

    async def prepare(self, client: Client) -> None:
        """A staff member opens their day view once, as before the first tap, and the path the taps post to
        is kept: the load generator reversed it on every tap, half its own CPU in this scenario's steps."""
        institution = client.data.get("institution")
        if institution is not None:
            day_view = await client.get(fixtures.url_or_none("presence:staff", institution) or "/")
            problem = expect_status(200)(day_view)
            if problem:
                raise RuntimeError(f"{client.name}'s day view: {problem}")
            client.data["action_path"] = fixtures.url_or_none("presence:staff_action", institution) or "/"

    def send(self, client: Client, action: str, child_id: int) -> Awaitable[Response]:
        return client.post(
            client.data["action_path"],
            form={"quick": f"{action}:{child_id}"},
            headers={"X-CSRFToken": client.cookies.get("csrftoken", ""), "Accept": "application/json"},
        )

    @staticmethod
    def check(response: Response) -> str:
        return expect_status(200)(response)


def checkin_endpoints() -> CheckinEndpoints | None:
    guardian_day = fixtures.url_or_none("presence:index")
    if guardian_day is None or fixtures.url_or_none("presence:staff_action", 1) is None:
        return None
    return CheckinEndpoints(guardian_day)


# --- checkin ----------------------------------------------------------------------------------------------


async def checkin(run: Run) -> dict[str, Any]:
    """The morning rush: staff check in distinct children while guardians read the daily overview, as Aula's
    app asks for it (`presence.getDailyOverview`). A second load, reported in `detail.guardians_on_the_web`,
    has the guardians read their komme/gå page in the browser instead (the day and the week, as every run
    until session 9 measured it: docs/decisions/0015-checkin-guardians-read-the-daily-overview.md)."""
    options = run.options
    endpoints = checkin_endpoints()
    if endpoints is None:
        raise RuntimeError("komme/gå has no staff check-in endpoint yet")
    staff_count = max(1, round(options.clients * 0.8))
    plan = fixtures.checkin_plan(staff_count, options.clients - staff_count)
    clients = await signed_in(
        run, [(login, "employee") for login, _, _ in plan.staff] + [(login, "guardian") for login in plan.guardians]
    )
    for client, (_login, institution_id, _children) in zip(clients, plan.staff, strict=False):
        client.data["institution"] = institution_id
    their_children = fixtures.daily_overview_children(plan.guardians)
    for client, login in zip(clients[len(plan.staff) :], plan.guardians, strict=True):
        client.data["guardian"] = True
        ids = "&".join(f"childIds[]={child_id}" for child_id in their_children[login])
        client.data["daily_overview"] = f"{API}?method=presence.getDailyOverview&{ids}"
    await asyncio.gather(*(endpoints.prepare(c) for c in clients))

    async def step(client: Client, recorder: Recorder) -> None:
        if client.data.get("guardian"):
            if client.data["web"]:
                await recorder.call("guardian_day", client.get(endpoints.guardian_day_path), expect_status(200))
            else:
                await recorder.call("daily_overview", client.get(client.data["daily_overview"]), expect_envelope)
            return
        children: list[int] = client.data["children"]
        if not children:
            await asyncio.sleep(0.1)
            return
        k = client.data["next"]
        child = children[k]
        # Each child is checked in once; a staff member who has done all theirs checks them out and in again.
        action = "check_in" if client.data["checking_in"] else "check_out"
        await recorder.call(action, endpoints.send(client, action, child), endpoints.check)
        client.data["next"] = (k + 1) % len(children)
        if client.data["next"] == 0:
            client.data["checking_in"] = not client.data["checking_in"]

    async def rush(web: bool) -> tuple[Stats, Stats]:
        """One load from a morning with nobody checked in yet (every check-in writes), in turns with the ceiling."""
        fixtures.reset_todays_presence()
        for client, (_login, _institution, children) in zip(clients, plan.staff, strict=False):
            client.data.update(children=list(children), next=0, checking_in=True)
        for client in clients:
            client.data["web"] = web
        return await beside_the_ceiling(run, "checkin-web" if web else "checkin", clients, step)

    stats, ceiling = await rush(web=False)
    on_the_web, ceiling_on_the_web = await rush(web=True)
    await close_all(clients)
    detail = load_detail(stats, len(clients))
    detail["staff"] = len(plan.staff)
    detail["guardians"] = len(plan.guardians)
    detail["children"] = sum(len(c) for _, _, c in plan.staff)
    detail["ceiling_beside"] = ceiling_beside(run, stats, ceiling)
    web = result(
        "checkin", on_the_web, ratio_to_ceiling=ratio(on_the_web.requests_per_s, ceiling_on_the_web.requests_per_s)
    )
    detail["guardians_on_the_web"] = {
        key: web[key] for key in ("requests_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "ratio_to_ceiling")
    } | {
        "by_request": on_the_web.by_name(),
        "problems": on_the_web.problems(),
        "cpu_ms_per_request": on_the_web.cpu_ms_per_request,
        "ceiling_beside": ceiling_beside(run, on_the_web, ceiling_on_the_web),
    }
    return result("checkin", stats, ratio_to_ceiling=ratio(stats.requests_per_s, ceiling.requests_per_s), detail=detail)


# --- a load beside the ceiling ----------------------------------------------------------------------------


async def beside_the_ceiling(run: Run, name: str, clients: list[Client], step: Step) -> tuple[Stats, Stats]:
    """The load of `clients` taking `step`, measured in turns with the ceiling's load, each turn of the ceiling right
    before one of the load: both on the machine as it was in the same minute. A ratio to the ceiling measured
    minutes earlier carried the drift of a shared machine's speed in between (in session 13 the ceiling alone
    answered 501–636 requests a second from one run to the next, and the check-in's ratio moved 0.41–0.52 with it,
    the check-in itself 249–263 a second). The load and the turns of the ceiling beside it, each as one."""
    if run.ceiling_load is None:
        raise RuntimeError("the ceiling is measured first in every run")
    ceiling_clients, ceiling_step = run.ceiling_load
    options = run.options
    turns = 2 if options.smoke else TURNS
    seconds = options.duration / turns
    budget = max(1, options.max_requests // turns)
    settle = min(options.warmup, 1.0)  # a closed loop of 50 clients is steady again within a second
    ceilings: list[Stats] = []
    loads: list[Stats] = []
    for turn in range(turns):
        ceiling_turn = Load(seconds, budget, settle).run(ceiling_clients, ceiling_step)
        ceilings.append(await profiled(run, f"ceiling-beside-{name}-{turn}", ceiling_turn, seconds, settle))
        warmup = options.warmup if turn == 0 else settle  # the first turn warms the load's caches up
        loads.append(
            await profiled(run, f"{name}-{turn}", Load(seconds, budget, warmup).run(clients, step), seconds, warmup)
        )
    await close_all(ceiling_clients)
    return Stats.joined(loads), Stats.joined(ceilings)


def ceiling_beside(run: Run, load: Stats, ceiling: Stats) -> dict[str, Any]:
    """The turns of the ceiling measured beside a load, and the load's ratio to the run's first ceiling as well."""
    return {
        "requests_per_s": round(ceiling.requests_per_s, 1),
        "p95_ms": round(ceiling.p(95), 1),
        "errors": ceiling.errors,
        "cpu_ms_per_request": ceiling.cpu_ms_per_request,
        "ratio_to_first_ceiling": ratio(load.requests_per_s, run.ceiling_rps),
    }


# --- profiling --------------------------------------------------------------------------------------------


async def profiled(
    run: Run, name: str, load: Awaitable[Stats], duration: float | None = None, warmup: float | None = None
) -> Stats:
    """Run a load, reading the CPU every process used over its measured window (`Stats.cpu_ms_per_request`);
    with --profile, py-spy samples every gunicorn worker meanwhile (collapsed stacks)."""
    warmup = run.options.warmup if warmup is None else warmup
    directory = run.options.profile_dir
    if directory is None:
        return await measured_cpu(run, load, warmup)
    directory.mkdir(parents=True, exist_ok=True)
    seconds = max(1, round((run.options.duration if duration is None else duration) + warmup))
    spies = [
        await asyncio.create_subprocess_exec(
            str(BIN / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(directory / f"{name}-{pid}.txt"),
            "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for pid in run.stack.worker_pids()
    ]
    stats = await measured_cpu(run, load, warmup)
    for spy in spies:
        try:
            await asyncio.wait_for(spy.wait(), seconds + 10)
        except TimeoutError:
            spy.terminate()
    return stats


async def measured_cpu(run: Run, load: Awaitable[Stats], warmup: float) -> Stats:
    """The load's Stats with the CPU its requests cost each process, read from the end of the warm-up (when
    the measured window opens) to the end of the load."""
    opened: list[CpuReading] = []

    async def at_the_window() -> None:
        await asyncio.sleep(warmup)
        opened.append(run.stack.cpu_reading())

    reader = asyncio.create_task(at_the_window())
    stats = await load
    closed = run.stack.cpu_reading()
    reader.cancel()
    if opened:
        stats.cpu_ms_per_request = cpu_split(opened[0], closed, stats.requests)
    return stats


RUNNERS: dict[str, Callable[[Run], Coroutine[Any, Any, dict[str, Any]]]] = {
    "ceiling": ceiling,
    "checkin": checkin,
    "messages": messages,
    "broadcast": broadcast,
    "overview": overview,
    "inbox": inbox,
}

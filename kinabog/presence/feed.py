"""Check-ins and check-outs for external staffing systems (morgenvagt, vagtplan): a feed and webhooks.

The feed: `GET …/feed/events/` with `Authorization: Bearer <key>`, where the key belongs to one
institution (only its hash is stored). Events come oldest first, `limit` at a time, with an opaque
`nextCursor` to continue from. An event is listed only once it is a few seconds old, so a transaction
that committed late cannot slip in behind a cursor that has moved on.

Webhooks: each check-in and check-out is POSTed as JSON to the institution's webhooks after the
check-in has committed, never inside it. The body is signed with the webhook's secret
(`X-Kinabog-Signature: sha256=<hex HMAC-SHA256 of the body>`) and carries a delivery id
(`X-Kinabog-Delivery`), the same on every retry, so a receiver drops repeats. Failed attempts are
retried with exponential backoff, then given up. See docs/decisions/0007-presence-feed-and-webhooks.md.

Children appear by their institution profile id and groups, never by name: a staffing system counts
children, it does not need to know who they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Membership

from .models import FeedApiKey, PresenceEvent, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

KEY_PREFIX = "kbf_"
FEED_ACTIONS = ("check_in", "check_out")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SETTLE_SECONDS = 5
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# A claimed delivery is left alone this long by other senders (longer than one attempt can take).
CLAIM_SECONDS = 60
TIMEOUT = (3.05, 10)  # connect, read
SIGNATURE_HEADER = "X-Kinabog-Signature"
DELIVERY_HEADER = "X-Kinabog-Delivery"
EVENT_HEADER = "X-Kinabog-Event"
MAX_WEBHOOKS = 5
DUE_BATCH = 100


# --- Administration: keys and webhooks ---------------------------------------------------------------


def may_manage(viewer: Viewer, institution_id: int) -> bool:
    """Institution administrators connect external systems."""
    return viewer.portal_role == "employee" and institution_id in viewer.admin_institution_ids


def _check(viewer: Viewer, institution_id: int) -> None:
    if not may_manage(viewer, institution_id):
        raise NotFound


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_key(viewer: Viewer, institution_id: int, name: str) -> tuple[FeedApiKey, str]:
    """A new key for the feed; the key itself is returned once and never stored."""
    _check(viewer, institution_id)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the system that will use the key, e.g. 'Morgenvagt'."), field="name")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = FeedApiKey.objects.create(
        institution_id=institution_id,
        name=name[:80],
        prefix=raw[:12],
        key_hash=hash_key(raw),
        created_by_id=viewer.person_id,
    )
    audit.record(actor_id=viewer.user_id, action="create_feed_key", obj=key, assurance_level=viewer.assurance_level)
    return key, raw


@transaction.atomic
def revoke_key(viewer: Viewer, key_id: int) -> None:
    key = FeedApiKey.objects.filter(pk=key_id).first()
    if key is None or not may_manage(viewer, key.institution_id):
        raise NotFound
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor_id=viewer.user_id, action="revoke_feed_key", obj=key, assurance_level=viewer.assurance_level)


def keys_for(viewer: Viewer, institution_id: int) -> list[FeedApiKey]:
    _check(viewer, institution_id)
    return list(FeedApiKey.objects.filter(institution_id=institution_id).order_by("revoked_at", "-created_at"))


def _valid_url(url: str) -> str:
    url = url.strip()
    parsed = urlparse(url)
    schemes = ("https",) if getattr(settings, "PRODUCTION", False) else ("https", "http")
    if parsed.scheme not in schemes or not parsed.hostname or parsed.username or parsed.password:
        raise InvalidInput(_("Give a full web address that starts with https://."), field="url")
    if len(url) > 500:
        raise InvalidInput(_("The address is too long."), field="url")
    return url


@transaction.atomic
def create_webhook(viewer: Viewer, institution_id: int, url: str) -> tuple[Webhook, str]:
    """A new webhook and its signing secret, which is shown once."""
    _check(viewer, institution_id)
    url = _valid_url(url)
    if Webhook.objects.filter(institution_id=institution_id, is_active=True).count() >= MAX_WEBHOOKS:
        raise InvalidInput(_("An institution can have at most %(count)s webhooks.") % {"count": MAX_WEBHOOKS})
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(
        institution_id=institution_id, url=url, secret=secret, created_by_id=viewer.person_id
    )
    audit.record(actor_id=viewer.user_id, action="create_webhook", obj=webhook, assurance_level=viewer.assurance_level)
    return webhook, secret


@transaction.atomic
def deactivate_webhook(viewer: Viewer, webhook_id: int) -> None:
    """Stop sending to a webhook; deliveries still waiting are given up."""
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None or not may_manage(viewer, webhook.institution_id):
        raise NotFound
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, updated_at=timezone.now())
    WebhookDelivery.objects.filter(webhook=webhook, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, last_error="webhook deactivated"
    )
    audit.record(
        actor_id=viewer.user_id, action="deactivate_webhook", obj=webhook, assurance_level=viewer.assurance_level
    )


def webhooks_for(viewer: Viewer, institution_id: int) -> list[Webhook]:
    """The institution's webhooks with counts of deliveries per state."""
    _check(viewer, institution_id)
    return list(
        Webhook.objects.filter(institution_id=institution_id)
        .annotate(
            delivered_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.DELIVERED)),
            pending_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
        )
        .order_by("-is_active", "-created_at")
    )


def recent_deliveries(viewer: Viewer, institution_id: int, limit: int = 20) -> list[WebhookDelivery]:
    _check(viewer, institution_id)
    return list(
        WebhookDelivery.objects.filter(webhook__institution_id=institution_id)
        .select_related("webhook")
        .order_by("-created_at", "-id")[:limit]
    )


# --- The feed ------------------------------------------------------------------------------------------


def key_from_header(authorization: str) -> FeedApiKey | None:
    """The active key named by an `Authorization: Bearer …` header, or None."""
    scheme, _sep, raw = authorization.strip().partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (
        FeedApiKey.objects.select_related("institution").filter(key_hash=hash_key(raw), revoked_at__isnull=True).first()
    )
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            FeedApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute
    return key


def encode_cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{event_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _sep, value = text.partition(":")
        number = int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput(_("The cursor is not valid."), field="cursor") from None
    if version != "v1" or number < 0 or number >= 2**63:
        raise InvalidInput(_("The cursor is not valid."), field="cursor")
    return number


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


def _event_queryset():  # type: ignore[no-untyped-def]
    return PresenceEvent.objects.select_related("day__child__institution").prefetch_related(
        Prefetch(
            "day__child__memberships",
            queryset=Membership.objects.select_related("group").only("group__name", "profile_id"),
        )
    )


def feed_page(key: FeedApiKey, cursor: str | None, limit: int | None = None) -> FeedPage:
    """The institution's check-ins and check-outs after the cursor, oldest first (three queries)."""
    after = decode_cursor(cursor)
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise InvalidInput(_("Ask for between 1 and %(max)s events.") % {"max": MAX_LIMIT}, field="limit")
    settled = timezone.now() - timedelta(seconds=SETTLE_SECONDS)
    rows = list(
        _event_queryset()
        .filter(id__gt=after, action__in=FEED_ACTIONS, day__child__institution_id=key.institution_id, at__lte=settled)
        .order_by("id")[: size + 1]
    )
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(rows[-1].id) if rows else encode_cursor(after)
    return FeedPage([event_payload(e) for e in rows], next_cursor, has_more)


def event_payload(event: PresenceEvent) -> dict[str, Any]:
    child = event.day.child
    return {
        "id": str(event.id),
        "type": f"presence.{event.action}",
        "occurredAt": timezone.localtime(event.at).isoformat(),
        "date": event.day.date.isoformat(),
        "institutionCode": child.institution.code,
        "status": event.status,
        "child": {
            "institutionProfileId": child.id,
            "groups": [{"id": m.group_id, "name": m.group.name} for m in child.memberships.all()],
        },
        "registeredBy": "device" if event.device_id else ("staff" if event.actor_id else "system"),
    }


# --- Webhooks: enqueue after commit, deliver with retries ---------------------------------------------------


def publish_after_commit(event: PresenceEvent) -> None:
    """Called by check-in and check-out: webhooks are scheduled once the change has committed.

    `robust` keeps a broker that is down from turning a successful check-in into an error; the
    deliveries are then sent by the periodic sweep.
    """
    publish_event_after_commit(event.id)


def publish_event_after_commit(event_id: int) -> None:
    """publish_after_commit for an event known by its id."""
    transaction.on_commit(partial(enqueue_deliveries, event_id), robust=True)


def enqueue_deliveries(event_id: int) -> list[int]:
    """One delivery per active webhook of the event's institution; running it twice adds none."""
    # Most institutions have no webhook: one query finds that out, before the event is loaded.
    institution = PresenceEvent.objects.filter(pk=event_id).values("day__child__institution_id")[:1]
    webhooks = list(Webhook.objects.filter(institution_id=Subquery(institution), is_active=True))
    if not webhooks:
        return []
    event = _event_queryset().filter(pk=event_id, action__in=FEED_ACTIONS).first()
    if event is None:
        return []
    payload = event_payload(event)
    now = timezone.now()
    rows = []
    for webhook in webhooks:
        delivery_id = uuid.uuid4()
        body = json.dumps({"deliveryId": str(delivery_id), "event": payload}, ensure_ascii=False, separators=(",", ":"))
        rows.append(
            WebhookDelivery(delivery_id=delivery_id, webhook=webhook, event_id=event.id, body=body, next_attempt_at=now)
        )
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        WebhookDelivery.objects.filter(event_id=event.id, state=WebhookDelivery.State.PENDING).values_list(
            "id", flat=True
        )
    )
    dispatch(ids)
    return ids


def dispatch(delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers; without a broker, to a background thread of this process."""
    if not delivery_ids:
        return
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        if getattr(settings, "PRESENCE_WEBHOOKS_IN_THREAD", True):
            threading.Thread(target=_deliver_in_thread, args=(delivery_ids,), daemon=True).start()
        else:
            for delivery_id in delivery_ids:
                attempt_delivery(delivery_id)
        return
    from . import tasks

    for delivery_id in delivery_ids:
        try:
            tasks.deliver_webhook.apply_async((delivery_id,))
        except Exception:  # noqa: BLE001 — a broker that is down: the periodic sweep sends it later
            logger.warning("Could not queue webhook delivery %s; the sweep will send it", delivery_id)


def _deliver_in_thread(delivery_ids: list[int]) -> None:
    try:
        for delivery_id in delivery_ids:
            attempt_delivery(delivery_id)
    finally:
        connection.close()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff_seconds(attempts: int) -> int:
    """30 s after the first failure, doubling each time, at most an hour."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


@dataclass(frozen=True)
class Outcome:
    state: str
    retry_in: int | None = None


def _claim(delivery_id: int) -> bool:
    """Take a due delivery for one attempt; a second sender finds it taken and leaves it."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now + timedelta(seconds=5)
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def attempt_delivery(delivery_id: int) -> Outcome:
    """Send one delivery once. Delivered or given up: nothing more happens; otherwise retry later."""
    if not _claim(delivery_id):
        state = WebhookDelivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first()
        return Outcome(state or "missing")
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    body = delivery.body.encode()
    status_code: int | None = None
    error = ""
    try:
        response = send(delivery.webhook.url, body, _headers(delivery, body))
        status_code = response.status_code
        if 200 <= status_code < 300:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                state=WebhookDelivery.State.DELIVERED,
                attempts=delivery.attempts + 1,
                last_status_code=status_code,
                last_error="",
                delivered_at=timezone.now(),
            )
            return Outcome(WebhookDelivery.State.DELIVERED)
        error = f"HTTP {status_code}"
    except requests.RequestException as failure:
        error = type(failure).__name__
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED, attempts=attempts, last_status_code=status_code, last_error=error
        )
        logger.warning("Webhook delivery %s given up after %s attempts: %s", delivery.delivery_id, attempts, error)
        return Outcome(WebhookDelivery.State.FAILED)
    wait = backoff_seconds(attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        last_status_code=status_code,
        last_error=error[:250],
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )
    return Outcome(WebhookDelivery.State.PENDING, retry_in=wait)


def _headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    action = json.loads(delivery.body)["event"]["type"]
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Kinabog-Webhook/1",
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
        DELIVERY_HEADER: str(delivery.delivery_id),
        EVENT_HEADER: action,
    }


def send(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    """One POST; redirects are not followed (a signed body goes only where it was meant to)."""
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)


def send_due_deliveries() -> int:
    """The sweep: attempt every delivery that is due (lost tasks, retries without a broker)."""
    due = list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:DUE_BATCH]
    )
    for delivery_id in due:
        attempt_delivery(delivery_id)
    return len(due)

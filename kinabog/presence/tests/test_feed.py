"""The check-in feed and webhooks: keys, cursors, signatures, retries — against a server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.presence import actions, feed, queries, tasks
from kinabog.presence.models import FeedApiKey, PresenceEvent, WebhookDelivery

from .leader_helpers import child, institution, viewer

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers with the status codes it is given, in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Any]:
    def make(statuses: list[int] | None = None) -> Receiver:
        return Receiver(statuses or [])

    yield make


@pytest.fixture(autouse=True)
def deliver_in_process(settings: Any) -> None:
    # Without a broker deliveries go to a background thread; tests deliver in their own thread instead.
    settings.PRESENCE_WEBHOOKS_IN_THREAD = False


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "SETTLE_SECONDS", 0)


def katamaranen_id() -> int:
    return institution("G10001").id


# --- Keys and the feed -----------------------------------------------------------------------------------


def test_only_administrators_create_keys_and_only_the_hash_is_stored():
    key, raw = feed.create_key(viewer("anders"), katamaranen_id(), "Morgenvagt")
    assert raw.startswith("kbf_") and raw not in {key.key_hash, key.prefix}
    assert FeedApiKey.objects.get(pk=key.pk).key_hash == hashlib.sha256(raw.encode()).hexdigest()
    for username in ("karin", "mette", "thomas"):
        with pytest.raises(NotFound):
            feed.create_key(viewer(username), katamaranen_id(), "Morgenvagt")


def test_the_feed_pages_with_a_cursor_and_names_no_child(client, settled):
    _key, raw = feed.create_key(viewer("anders"), katamaranen_id(), "Morgenvagt")
    emil = child("Emil")
    karin = viewer("karin")
    actions.check_in(karin, emil.id)
    actions.check_out(karin, emil.id)
    actions.check_in(viewer("anders"), child("Noah").id)  # Kahytten: not in Katamaranen's feed
    headers = {"Authorization": f"Bearer {raw}"}
    first = client.get("/komme-gaa/feed/v1/events/", {"limit": 1}, headers=headers)
    assert first.status_code == 200, first.content
    page = first.json()
    assert page["hasMore"] is True and page["institutionCode"] == "G10001"
    [event] = page["events"]
    assert event["type"] == "presence.check_in" and event["child"]["institutionProfileId"] == emil.id
    assert event["child"]["groups"] == [{"id": event["child"]["groups"][0]["id"], "name": "Blå stue"}]
    assert "Emil" not in first.content.decode()
    second = client.get("/komme-gaa/feed/v1/events/", {"cursor": page["nextCursor"]}, headers=headers).json()
    assert [e["type"] for e in second["events"]] == ["presence.check_out"] and second["hasMore"] is False
    third = client.get("/komme-gaa/feed/v1/events/", {"cursor": second["nextCursor"]}, headers=headers).json()
    assert third["events"] == [] and third["nextCursor"] == second["nextCursor"]


def test_fresh_events_wait_until_they_have_settled(client):
    _key, raw = feed.create_key(viewer("anders"), katamaranen_id(), "Morgenvagt")
    actions.check_in(viewer("karin"), child("Emil").id)
    page = client.get("/komme-gaa/feed/v1/events/", headers={"Authorization": f"Bearer {raw}"}).json()
    assert page["events"] == []  # a transaction that commits late cannot slip in behind the cursor
    PresenceEvent.objects.update(at=timezone.now() - timedelta(seconds=feed.SETTLE_SECONDS + 1))
    page = client.get("/komme-gaa/feed/v1/events/", headers={"Authorization": f"Bearer {raw}"}).json()
    assert len(page["events"]) == 1


@pytest.mark.parametrize("header", ["", "Bearer kbf_wrong", "Basic abc", "Bearer "])
def test_the_feed_refuses_a_missing_or_wrong_key(client, header):
    response = client.get("/komme-gaa/feed/v1/events/", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_a_revoked_key_stops_working_and_bad_parameters_answer_400(client):
    key, raw = feed.create_key(viewer("anders"), katamaranen_id(), "Morgenvagt")
    headers = {"Authorization": f"Bearer {raw}"}
    for params in ({"cursor": "not-a-cursor"}, {"limit": "0"}, {"limit": "x"}, {"limit": "100000"}):
        assert client.get("/komme-gaa/feed/v1/events/", params, headers=headers).status_code == 400
    feed.revoke_key(viewer("anders"), key.id)
    assert client.get("/komme-gaa/feed/v1/events/", headers=headers).status_code == 401


def test_the_feed_reads_in_a_fixed_number_of_queries(client, settled, django_assert_max_num_queries):
    _key, raw = feed.create_key(viewer("anders"), katamaranen_id(), "Morgenvagt")
    karin = viewer("karin")
    blaa = queries.child_profiles().filter(memberships__group__name="Blå stue")
    for profile in blaa:
        actions.check_in(karin, profile.id)
    headers = {"Authorization": f"Bearer {raw}"}
    client.get("/komme-gaa/feed/v1/events/", headers=headers)  # marks the key as used
    with django_assert_max_num_queries(4):
        assert len(client.get("/komme-gaa/feed/v1/events/", headers=headers).json()["events"]) == blaa.count() > 3


# --- Webhooks ----------------------------------------------------------------------------------------------


def test_a_check_in_is_delivered_signed_after_commit(receiver, django_capture_on_commit_callbacks):
    with receiver() as hook:
        webhook, secret = feed.create_webhook(viewer("anders"), katamaranen_id(), hook.url)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.check_in(viewer("karin"), child("Emil").id)
        assert hook.received == []  # nothing is sent inside the check-in's transaction
        for callback in callbacks:
            callback()
        [request] = hook.received
    body = request["body"]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert request["headers"]["X-Kinabog-Signature"] == expected
    payload = json.loads(body)
    assert payload["deliveryId"] == request["headers"]["X-Kinabog-Delivery"]
    assert (
        payload["event"]["type"] == "presence.check_in" and request["headers"]["X-Kinabog-Event"] == "presence.check_in"
    )
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (
        delivery.state == "delivered" and delivery.attempts == 1 and str(delivery.delivery_id) == payload["deliveryId"]
    )


def test_a_failed_delivery_is_retried_with_backoff_and_the_same_delivery_id(
    receiver, django_capture_on_commit_callbacks
):
    with receiver([500, 503]) as hook:
        feed.create_webhook(viewer("anders"), katamaranen_id(), hook.url)
        with django_capture_on_commit_callbacks(execute=True):
            day = actions.check_in(viewer("karin"), child("Emil").id)
        assert day.status == 3  # the check-in stands, whatever the receiver answers
        delivery = WebhookDelivery.objects.get()
        assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_status_code == 500
        assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=feed.FIRST_RETRY_SECONDS - 5)
        assert feed.send_due_deliveries() == 0  # not due yet
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert tasks.send_due_webhook_deliveries() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.next_attempt_at > timezone.now() + timedelta(seconds=55)
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert tasks.deliver_webhook.apply(args=(delivery.id,)).get() == "delivered"
        assert tasks.deliver_webhook.apply(args=(delivery.id,)).get() == "delivered"  # idempotent: not sent again
        ids = {r["headers"]["X-Kinabog-Delivery"] for r in hook.received}
    assert len(hook.received) == 3 and ids == {str(delivery.delivery_id)}


def test_a_delivery_is_given_up_after_the_last_attempt(receiver, django_capture_on_commit_callbacks):
    with receiver([500] * feed.MAX_ATTEMPTS) as hook:
        feed.create_webhook(viewer("anders"), katamaranen_id(), hook.url)
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_in(viewer("karin"), child("Emil").id)
        for _attempt in range(feed.MAX_ATTEMPTS):
            WebhookDelivery.objects.update(next_attempt_at=timezone.now())
            feed.send_due_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == feed.MAX_ATTEMPTS
    assert [feed.backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120] and feed.backoff_seconds(20) == 3600


def test_an_unreachable_receiver_or_a_broker_that_is_down_never_breaks_a_check_in(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    feed.create_webhook(viewer("anders"), katamaranen_id(), "http://127.0.0.1:9/nobody-listens")
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_in(viewer("karin"), child("Emil").id)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.last_error
    # With a broker that cannot be reached, the delivery waits for the sweep.
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_webhook, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        day = actions.check_out(viewer("karin"), child("Emil").id)
    assert day.status == 8
    assert WebhookDelivery.objects.filter(event__action="check_out", state="pending", attempts=0).count() == 1


def test_enqueueing_twice_gives_one_delivery_per_webhook(receiver, django_capture_on_commit_callbacks):
    with receiver() as hook:
        feed.create_webhook(viewer("anders"), katamaranen_id(), hook.url)
        with django_capture_on_commit_callbacks(execute=False):
            actions.check_in(viewer("karin"), child("Emil").id)
        event = PresenceEvent.objects.get(action="check_in")
        feed.enqueue_deliveries(event.id)
        feed.enqueue_deliveries(event.id)
    assert WebhookDelivery.objects.count() == 1 and len(hook.received) == 1


def test_webhook_addresses_are_checked_and_only_administrators_add_them(settings):
    for url in ("ftp://example.org/x", "not a url", "https://user:pw@example.org/"):
        with pytest.raises(InvalidInput):
            feed.create_webhook(viewer("anders"), katamaranen_id(), url)
    settings.PRODUCTION = True
    with pytest.raises(InvalidInput):
        feed.create_webhook(viewer("anders"), katamaranen_id(), "http://example.org/hook")
    with pytest.raises(NotFound):
        feed.create_webhook(viewer("karin"), katamaranen_id(), "https://example.org/hook")

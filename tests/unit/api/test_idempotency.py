"""The idempotency guard with a fake store: replay, mismatch, in flight, takeover, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict, PaymentDeclined, RateLimited, RequestInFlight, ValidationError
from ledger.memory import MemoryStore
from payments import idempotency
from payments.idempotency import IdempotentRequest

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def request(
    body: bytes = b'{"amount": 500, "payment_id": "pi_1"}', **changes: str
) -> IdempotentRequest:
    fields = {"tenant_id": "t_1", "key": "key-1", "method": "POST", "path": "/api/v1/refunds"}
    return IdempotentRequest(**{**fields, **changes}, body=body)


class Counter:
    def __init__(self, result: tuple[int, object] = (201, {"id": "re_1", "amount": 500})) -> None:
        self.keys: list[str] = []
        self.result = result
        self.error: Exception | None = None

    def __call__(self, key: str) -> tuple[int, object]:
        self.keys.append(key)
        if self.error is not None:
            raise self.error
        return self.result


def test_the_same_key_and_request_replays_the_stored_bytes_without_acting_again() -> None:
    store, action = MemoryStore(), Counter()
    first = idempotency.run(store, request(), action, now=NOW)
    again = idempotency.run(
        store, request(b'{ "payment_id":"pi_1",  "amount":500 }'), action, now=NOW
    )
    assert (first.status, first.replayed) == (201, False)
    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert action.keys == ["key-1"]  # the client's key is forwarded to Stripe


@pytest.mark.parametrize(
    "other",
    [
        request(b'{"amount": 400, "payment_id": "pi_1"}'),
        request(path="/api/v1/payments/pi_1/capture"),
        request(method="PUT"),
    ],
)
def test_the_same_key_with_another_request_is_a_conflict(other: IdempotentRequest) -> None:
    store, action = MemoryStore(), Counter()
    idempotency.run(store, request(), action, now=NOW)
    with pytest.raises(Conflict) as raised:
        idempotency.run(store, other, action, now=NOW)
    assert raised.value.code == "idempotency_key_reused"
    assert len(action.keys) == 1


def test_keys_are_scoped_per_tenant() -> None:
    store, action = MemoryStore(), Counter()
    idempotency.run(store, request(), action, now=NOW)
    other = idempotency.run(store, request(tenant_id="t_2"), action, now=NOW)
    assert not other.replayed and len(action.keys) == 2


def test_a_duplicate_while_the_first_is_in_flight_is_refused_with_retry_after() -> None:
    store = MemoryStore()
    seen: list[RequestInFlight] = []

    def first(key: str) -> tuple[int, object]:
        try:
            idempotency.run(store, request(), Counter(), now=NOW + timedelta(seconds=1))
        except RequestInFlight as busy:
            seen.append(busy)
        return 201, {}

    idempotency.run(store, request(), first, now=NOW)
    assert len(seen) == 1 and seen[0].status == 409 and seen[0].retry_after > 0


def test_a_lease_whose_holder_died_is_taken_over() -> None:
    store = MemoryStore()
    idempotency._reserve(store, request(), "dead-holder", NOW)
    action = Counter()
    later = NOW + idempotency.LEASE + timedelta(seconds=1)
    assert idempotency.run(store, request(), action, now=later).status == 201
    assert action.keys == ["key-1"]


def test_errors_stripe_answered_are_stored_and_replayed() -> None:
    store, action = MemoryStore(), Counter()
    declined = PaymentDeclined("Stripe: Your card was declined.")
    declined.from_stripe = True
    action.error = declined
    with pytest.raises(PaymentDeclined):
        idempotency.run(store, request(), action, now=NOW)
    replay = idempotency.run(store, request(), action, now=NOW)
    assert replay.status == 402 and replay.replayed
    assert replay.body == idempotency.dumps(declined.to_body())
    assert len(action.keys) == 1


@pytest.mark.parametrize(
    "error", [ValidationError("bad"), RateLimited("slow down"), RuntimeError("crash")]
)
def test_other_failures_release_the_key_for_a_retry(error: Exception) -> None:
    store, action = MemoryStore(), Counter()
    if isinstance(error, RateLimited):
        error.from_stripe = True
    action.error = error
    with pytest.raises(type(error)):
        idempotency.run(store, request(), action, now=NOW)
    action.error = None
    assert idempotency.run(store, request(), action, now=NOW).replayed is False
    assert len(action.keys) == 2


def test_records_expire_after_24_hours() -> None:
    store, action = MemoryStore(), Counter()
    idempotency.run(store, request(), action, now=NOW)
    idempotency.run(store, request(key="key-2"), action, now=NOW + timedelta(hours=2))
    later = NOW + idempotency.RECORD_TTL + timedelta(minutes=1)
    assert idempotency.expire_records(store, now=later) == 1
    assert len(store.docs) == 1
    assert idempotency.run(store, request(), action, now=later).replayed is False


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_invalid_keys_are_refused(key: str) -> None:
    with pytest.raises(ValidationError):
        idempotency.validate_key(key)

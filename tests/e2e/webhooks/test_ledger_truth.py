"""Ledger truth (issue 11), over HTTP: after chaos, every payment in the ledger equals Stripe.

The Stripe emulator runs as a process with `--chaos` (duplicated, delayed, reordered signed
deliveries) and `--ach-delay 0`, posting to the product's functions server, which can read
Stripe back (resyncs) and whose retry queue (the Pub/Sub emulator's push subscription to
/tasks/process-event, as `webhook_server` wires it) runs the queued work.
On one onboarded connected account each flow in `FLOWS` runs three times, every payment with
its own order reference: hosted Checkout sessions come from the product's own
`create_checkout_session` (which writes the provisional `payments/{cs_id}` row) and are paid
with the emulator's hosted-page helper; direct PaymentIntents carry `metadata[tenant_id]` and
`metadata[client_reference_id]`. Nothing waits for the ledger between steps, so each
payment's events arrive in whatever order chaos picks.

Once the emulator has delivered everything and the ledger is quiet, every
`payments/{payment_intent_id}` is compared with the PaymentIntent the emulator holds
(`expand[]=latest_charge`) and its disputes, and each order reference must have exactly one
payment document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from emulators import gcloud
from emulators.gcloud import RunningEmulator, free_port
from ledger.collections import PAYMENTS, TENANTS, WEBHOOK_EVENTS
from ledger.store import FirestoreStore
from payments.checkout import create_checkout_session
from payments.commands import CreateCheckoutSession, LineItem
from payments.stripe_gateway import StripeGateway
from tests.conftest import PROJECT
from tests.e2e.webhooks.conftest import SERVER_ENV
from tests.support import webhooks as ws
from tests.support.stacks import functions_server, stripe_emulator, wire_queues
from tests.support.waiting import eventually, machine_slowness

API_KEY = "sk_test_ledger_truth"
TENANT = "tenant_ledger_truth"
ROUNDS = 3
AMOUNT = 5000
VISA, DECLINED = "4242424242424242", "4000000000000002"
REFUND_FAIL = "pm_card_refundFail"  # card 4000000000005126: its refunds fail after the fact
SETTLE_SECONDS = 40.0
UNSETTLED = {"received", "failed"}  # inbox states with work still to come
DISPUTE_CLOSED_FOR_MERCHANT = {"won", "warning_closed"}

Obj = dict[str, Any]


@dataclass
class Stripe:
    """The emulator over HTTP, as the connected account when `account` is set."""

    url: str
    account: str | None = None

    def api(self, method: str, path: str, data: Obj | None = None) -> Any:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        if self.account:
            headers["Stripe-Account"] = self.account
        body = {"params": data} if method == "GET" else {"data": data or {}}
        response = requests.request(
            method, f"{self.url}/v1/{path}", headers=headers, timeout=10, **body
        )
        assert response.status_code == 200, f"{method} /v1/{path}: {response.text}"
        return response.json()

    def every(self, path: str, params: Obj | None = None) -> list[Obj]:
        items: list[Obj] = []
        while True:
            after = {"starting_after": items[-1]["id"]} if items else {}
            page = self.api("GET", path, {**(params or {}), "limit": 100, **after})
            items += page["data"]
            if not page["has_more"]:
                return items

    def helper(self, path: str, body: Obj | None = None, *, status: int = 200) -> Any:
        response = requests.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=10)
        assert response.status_code == status, f"/_emulator/{path}: {response.text}"
        return response.json()


@dataclass
class Order:
    flow: str
    reference: str
    intent: str = ""
    session: str | None = None
    failing_refund: str | None = None  # must end `failed` on Stripe before the ledger is read

    def label(self) -> str:
        return f"{self.reference} [{self.flow}] {self.intent}"


@dataclass
class Shop:
    """The tenant: its account on the emulator, the ledger, the product's Stripe gateway."""

    stripe: Stripe
    store: FirestoreStore
    gateway: StripeGateway
    orders: list[Order] = field(default_factory=list)

    def checkout(self, order: Order, methods: tuple[str, ...] = ("card",)) -> None:
        command = CreateCheckoutSession(
            tenant_id=TENANT,
            line_items=(LineItem("Yoga class", AMOUNT // 2, 2, "usd"),),
            success_url="http://127.0.0.1/ok",
            cancel_url="http://127.0.0.1/cancel",
            client_reference_id=order.reference,
            payment_method_types=methods,
        )
        session = create_checkout_session(
            command,
            self.store,
            self.gateway,
            idempotency_key=f"ledger-truth-{order.reference}",
            now=datetime.now(UTC),
        )
        order.session = str(session["id"])

    def pay(self, order: Order, *, card: str | None = None, bank: str | None = None) -> None:
        """Pay the order's session as the hosted page does (a declined card answers 402)."""
        method = {"bank": bank} if bank else {"card": card}
        status = 402 if card == DECLINED else 200
        paid = self.stripe.helper(f"checkout/sessions/{order.session}/pay", method, status=status)
        order.intent = str(paid["session"]["payment_intent"])

    def intent(self, order: Order, method: str, *, kind: str = "card", **params: str) -> str:
        """A direct PaymentIntent for the order, confirmed with `method`."""
        created = self.stripe.api(
            "POST",
            "payment_intents",
            {
                "amount": AMOUNT,
                "currency": "usd",
                "payment_method_types[]": kind,
                "payment_method": method,
                "confirm": "true",
                "metadata[tenant_id]": TENANT,
                "metadata[client_reference_id]": order.reference,
                **params,
            },
        )
        order.intent = str(created["id"])
        return order.intent


# --- the flows: a few steps on Stripe each, none waits for the ledger --------------------------


def declined_then_paid(shop: Shop, order: Order) -> None:
    shop.checkout(order)
    shop.pay(order, card=DECLINED)
    shop.pay(order, card=VISA)


def declined_and_left(shop: Shop, order: Order) -> None:
    shop.checkout(order)
    shop.pay(order, card=DECLINED)


def three_d_secure_failed_then_visa(shop: Shop, order: Order) -> None:
    intent = shop.intent(order, "pm_card_authenticationRequired")
    shop.stripe.helper(f"payment_intents/{intent}/authenticate", {"outcome": "fail"})
    shop.stripe.api("POST", f"payment_intents/{intent}/confirm", {"payment_method": "pm_card_visa"})


def bank_debit_fails(shop: Shop, order: Order) -> None:
    shop.checkout(order, methods=("us_bank_account",))
    shop.pay(order, bank="failure")
    shop.stripe.helper("ach/advance", {"payment_intent": order.intent})


def bank_debit_succeeds(shop: Shop, order: Order) -> None:
    intent = shop.intent(order, "pm_usBankAccount", kind="us_bank_account")
    shop.stripe.helper("ach/advance", {"payment_intent": intent})


def partial_capture_then_partial_refund(shop: Shop, order: Order) -> None:
    intent = shop.intent(order, "pm_card_visa", capture_method="manual")
    shop.stripe.api("POST", f"payment_intents/{intent}/capture", {"amount_to_capture": 3000})
    shop.stripe.api("POST", "refunds", {"payment_intent": intent, "amount": 1000})


def dispute_won(shop: Shop, order: Order) -> None:
    intent = shop.intent(order, "pm_card_createDispute")
    (dispute,) = shop.stripe.api("GET", "disputes", {"payment_intent": intent})["data"]
    shop.stripe.helper(f"disputes/{dispute['id']}/resolve", {"outcome": "won"})


def refund_fails(shop: Shop, order: Order) -> None:
    intent = shop.intent(order, REFUND_FAIL)
    order.failing_refund = shop.stripe.api("POST", "refunds", {"payment_intent": intent})["id"]


REFUND_FAILS = "refund fails"
FLOWS: dict[str, Callable[[Shop, Order], None]] = {
    "checkout declined, then paid": declined_then_paid,
    "checkout declined, customer left": declined_and_left,
    "3-D Secure failed, then visa": three_d_secure_failed_then_visa,
    "bank debit fails (checkout)": bank_debit_fails,
    "bank debit succeeds": bank_debit_succeeds,
    "partial capture, partial refund": partial_capture_then_partial_refund,
    "dispute won": dispute_won,
    REFUND_FAILS: refund_fails,
}


def emulator_fails_refunds(url: str) -> bool:
    """Whether the emulator knows the refund-failure card. Probed on the platform account,
    whose events route to no tenant, so the probe adds nothing to the ledger."""
    response = requests.post(
        f"{url}/v1/payment_intents",
        data={"amount": 1000, "currency": "usd", "payment_method": REFUND_FAIL, "confirm": "true"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    return response.status_code == 200


# --- waiting for the end, and reading it -------------------------------------------------------


@dataclass
class Outcome:
    orders: list[Order]
    intents: dict[str, Obj]  # by id, latest_charge expanded, as the emulator holds them
    disputes: dict[str, list[Obj]]  # by intent
    payments: dict[str, Obj]  # the ledger's `payments` collection
    events: int  # Stripe events of the connected account
    deliveries: int  # delivery attempts, duplicates included
    unsettled: str | None  # what was still outstanding at the deadline
    refund_fail_supported: bool
    seconds: float


def outstanding(shop: Shop) -> str | None:
    """What is still on its way; None once Stripe delivered everything, the inbox is done and
    no payment waits for a resync."""
    queued = requests.get(f"{shop.stripe.url}/_emulator/deliveries", timeout=10).json()["pending"]
    if queued:
        return f"{queued} deliveries still queued in the Stripe emulator"
    if undelivered := shop.stripe.every("events", {"delivery_success": "false"}):
        return f"{len(undelivered)} events with pending_webhooks > 0"
    inbox = ws.all_docs(shop.store, WEBHOOK_EVENTS).values()
    if busy := sorted(f"{e['type']}:{e['status']}" for e in inbox if e["status"] in UNSETTLED):
        return f"{len(busy)} inbox records not done: {', '.join(busy[:8])}"
    payments = ws.all_docs(shop.store, PAYMENTS)
    if waiting := sorted(p for p, doc in payments.items() if doc.get("resync_needed")):
        return f"{len(waiting)} payments waiting for a resync: {', '.join(waiting[:8])}"
    for order in (o for o in shop.orders if o.failing_refund):
        refund = shop.stripe.api("GET", f"refunds/{order.failing_refund}")
        if refund["status"] != "failed":
            return f"refund {refund['id']} of {order.reference} is still {refund['status']}"
    return None


def settle(shop: Shop) -> tuple[str | None, dict[str, Obj]]:
    """Poll until nothing is outstanding and two reads of the ledger 0.5 s apart agree."""
    deadline = time.monotonic() + SETTLE_SECONDS * machine_slowness()
    before: dict[str, Obj] | None = None
    while True:
        left = outstanding(shop)
        payments = ws.all_docs(shop.store, PAYMENTS)
        if left is None and payments == before:
            return None, payments
        if time.monotonic() > deadline:
            return left or "the ledger kept changing", payments
        before = payments if left is None else None
        time.sleep(0.5)


@pytest.fixture(scope="module")
def stripe_url(
    firestore_emulator: RunningEmulator, pubsub_emulator: RunningEmulator
) -> Iterator[str]:
    """The functions (able to read Stripe back, for resyncs) and the retry queue pushing to
    them, then the chaotic emulator delivering to them: the emulator's URL."""
    gcloud.reset_firestore(firestore_emulator.host_port, PROJECT)
    port = free_port()
    stripe_env = {"STRIPE_SECRET_KEY": API_KEY, "STRIPE_API_BASE": f"http://127.0.0.1:{port}"}
    with functions_server(**SERVER_ENV, **stripe_env, STRIPE_MAX_NETWORK_RETRIES="0") as server:
        wire_queues(pubsub_emulator.host_port, server.url)
        webhook_url = f"{server.url}/webhook"
        with stripe_emulator(port, webhook_url=webhook_url, chaos=True) as emulator:
            yield emulator.url


def onboarded_shop(url: str) -> Shop:
    store = ws.firestore_store()
    account = Stripe(url).api(
        "POST", "accounts", {"type": "express", "metadata[tenant_id]": TENANT}
    )
    ws.create_tenant(store, TENANT, account["id"])
    Stripe(url).helper(f"accounts/{account['id']}/complete_onboarding")
    eventually(
        lambda: ws.all_docs(store, TENANTS)[TENANT].get("charges_enabled"),
        "account.updated to reach the tenant",
        timeout=15,
    )
    gateway = StripeGateway.connect(API_KEY, api_base=url, max_network_retries=0)
    return Shop(Stripe(url, account["id"]), store, gateway)


@pytest.fixture(scope="module")
def outcome(stripe_url: str) -> Outcome:
    started = time.monotonic()
    shop = onboarded_shop(stripe_url)
    supported = emulator_fails_refunds(stripe_url)
    flows = {name: flow for name, flow in FLOWS.items() if supported or name != REFUND_FAILS}
    for round_ in range(1, ROUNDS + 1):
        for number, (name, flow) in enumerate(flows.items(), start=1):
            order = Order(name, f"order_{round_}_{number}")
            flow(shop, order)
            shop.orders.append(order)
    unsettled, payments = settle(shop)
    stripe = shop.stripe
    return Outcome(
        orders=shop.orders,
        intents={
            o.intent: stripe.api(
                "GET", f"payment_intents/{o.intent}", {"expand[]": "latest_charge"}
            )
            for o in shop.orders
        },
        disputes={
            o.intent: stripe.every("disputes", {"payment_intent": o.intent}) for o in shop.orders
        },
        payments=payments,
        events=len(stripe.every("events")),
        deliveries=len(
            requests.get(f"{stripe_url}/_emulator/deliveries", timeout=10).json()["data"]
        ),
        unsettled=unsettled,
        refund_fail_supported=supported,
        seconds=time.monotonic() - started,
    )


# --- what the ledger must say ------------------------------------------------------------------


def expected(intent: Obj, disputes: list[Obj]) -> Obj:
    """A payment's ledger fields, from Stripe's PaymentIntent and its disputes."""
    refunded = int((intent.get("latest_charge") or {}).get("amount_refunded") or 0)
    error = intent.get("last_payment_error") or {}
    status = intent["status"]
    if status == "requires_payment_method" and error:
        status = "failed"
    elif status == "succeeded":
        if any(d["status"] not in DISPUTE_CLOSED_FOR_MERCHANT for d in disputes):
            status = "disputed"
        elif refunded:
            status = "refunded" if refunded >= intent["amount_received"] else "partially_refunded"
    fields = {
        "status": status,
        "amount": intent["amount"],
        "amount_captured": intent["amount_received"],
        "amount_refunded": refunded,
        # withdrawn and not reinstated: the sum of the disputes' balance transactions
        "amount_disputed": -sum(t["amount"] for d in disputes for t in d["balance_transactions"]),
    }
    return {**fields, "failure.code": error.get("code")} if status == "failed" else fields


def read(doc: Obj, name: str) -> Any:
    return (doc.get("failure") or {}).get("code") if name == "failure.code" else doc.get(name)


def differences(outcome: Outcome) -> list[str]:
    problems = []
    for order in outcome.orders:
        want = expected(outcome.intents[order.intent], outcome.disputes[order.intent])
        doc = outcome.payments.get(order.intent)
        if doc is None:
            problems.append(f"{order.label()}: no payments/{order.intent} (Stripe: {want})")
            continue
        problems += [
            f"{order.label()}: {name} ledger={read(doc, name)!r} stripe={value!r}"
            for name, value in want.items()
            if read(doc, name) != value
        ]
    return problems


def documents_of(outcome: Outcome, order: Order) -> list[str]:
    """Every payment document that is this order's, by its ids or its reference (with status)."""
    ids = (order.intent, order.session)
    return [
        f"{payment_id} ({doc.get('status')})"
        for payment_id, doc in sorted(outcome.payments.items())
        if payment_id in ids or order.reference in (reference(doc), reference(doc.get("metadata")))
    ]


def reference(doc: Obj | None) -> Any:
    return (doc or {}).get("client_reference_id")


def summary(outcome: Outcome) -> str:
    wrong = {problem.split(":")[0] for problem in differences(outcome)}
    agree = f"{len(wrong)} differ from Stripe" if wrong else "all equal to Stripe"
    resyncs = sum(int(doc.get("resyncs") or 0) for doc in outcome.payments.values())
    return (
        f"ledger truth: {len(outcome.orders)} payments over HTTP with chaos, {agree}, "
        f"{resyncs} resync fetches for {outcome.events} events "
        f"({outcome.deliveries} deliveries, {outcome.seconds:.1f} s)"
    )


# --- the tests ---------------------------------------------------------------------------------


def test_stripe_delivered_everything_and_the_ledger_settled(outcome: Outcome) -> None:
    assert outcome.unsettled is None, f"after {SETTLE_SECONDS:.0f} s: {outcome.unsettled}"


def test_every_payment_equals_its_payment_intent_on_stripe(
    outcome: Outcome, measurements: list[str]
) -> None:
    measurements.append(summary(outcome))
    problems = differences(outcome)
    assert not problems, f"{len(problems)} ledger fields differ from Stripe:\n" + "\n".join(
        problems
    )


def test_one_payment_document_per_order_reference(outcome: Outcome) -> None:
    problems = []
    for order in outcome.orders:
        found = documents_of(outcome, order)
        if len(found) != 1 or not found[0].startswith(f"{order.intent} "):
            problems.append(f"{order.label()}: payments {found}, but Stripe has one payment")
        if (ref := reference(outcome.payments.get(order.intent))) != order.reference:
            problems.append(f"{order.label()}: payments/{order.intent} has reference {ref!r}")
    assert not problems, f"{len(problems)} orders:\n" + "\n".join(problems)


def test_a_refund_that_fails_after_the_fact_is_among_the_flows(outcome: Outcome) -> None:
    assert outcome.refund_fail_supported, (
        f"the Stripe emulator lacks {REFUND_FAIL} (card 4000000000005126, refunds that fail "
        "after the fact), so the 'refund fails' flow did not run"
    )
    assert [o.flow for o in outcome.orders].count(REFUND_FAILS) == ROUNDS

"""Test helpers under `/_emulator/...`: not Stripe's API, documented in the README.

Bodies are JSON (or form fields); answers are JSON. Objects are found in whichever
account owns them, so no `Stripe-Account` header is needed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from .emulator import Emulator
from .errors import invalid
from .resources import payment_flow
from .resources.accounts import complete_onboarding
from .resources.checkout import find_session, pay_session
from .resources.disputes import open_dispute, resolve_dispute
from .resources.payment_methods import BANK_ACCOUNTS, CARDS, TestMethod
from .resources.refunds import FAILURE_REASONS, fail_refund
from .responses import json_response
from .store import Obj, public
from .triggers import FLOWS, trigger

BANK_OUTCOMES = {"success": "000123456789", "failure": "000111111113"}


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else request.form.to_dict()


def _json(body: Obj, status: int = 200) -> Response:
    return json_response(body, status)


def _owned(emu: Emulator, object_id: str, kind: str) -> tuple[Obj, str | None]:
    owner = emu.store.owner_of(object_id)
    return emu.store.get(object_id, owner, kind), owner


def register(app: Flask, emu: Emulator) -> None:
    """Add the `/_emulator` routes to the app."""
    _state_routes(app, emu)
    _payment_routes(app, emu)
    _refund_routes(app, emu)
    _dispute_routes(app, emu)
    _event_routes(app, emu)


def _state_routes(app: Flask, emu: Emulator) -> None:
    @app.get("/_emulator/health")
    def health() -> Response:
        return _json({"status": "ok"})

    @app.post("/_emulator/reset")
    def reset() -> Response:
        emu.reset()
        return _json({"reset": True})

    @app.post("/_emulator/accounts/<account_id>/complete_onboarding")
    def onboard(account_id: str) -> Response:
        with emu.store.lock:
            return _json(complete_onboarding(emu, account_id))


def _payment_routes(app: Flask, emu: Emulator) -> None:
    @app.post("/_emulator/checkout/sessions/<session_id>/pay")
    def pay(session_id: str) -> Response:
        body = _body()
        with emu.store.lock:
            session, owner = find_session(emu, session_id)
            declined = pay_session(emu, session, owner, _method(body), body.get("email"))
            result = {"session": public(session), "declined": declined}
            return _json(result, 402 if declined else 200)

    @app.post("/_emulator/ach/advance")
    def advance_ach() -> Response:
        body = _body()
        outcome = body.get("outcome")
        succeed = None if outcome is None else outcome == "succeeded"
        with emu.store.lock:
            settled = [
                intent["id"]
                for intent in _processing(emu, body.get("payment_intent"))
                if payment_flow.settle_bank_debit(
                    emu, intent["id"], emu.store.owner_of(intent["id"]), succeed=succeed
                )
            ]
            return _json({"settled": settled})

    @app.post("/_emulator/payment_intents/<intent_id>/authenticate")
    def authenticate(intent_id: str) -> Response:
        with emu.store.lock:
            intent, owner = _owned(emu, intent_id, "payment_intent")
            if intent["status"] != "requires_action":
                raise invalid(f"{intent_id} does not require authentication.")
            if _body().get("outcome", "succeed") == "fail":
                intent.update(
                    status="requires_payment_method",
                    next_action=None,
                    last_payment_error={
                        "type": "card_error",
                        "code": "payment_intent_authentication_failure",
                    },
                )
                emu.emit("payment_intent.payment_failed", intent, owner)
            else:
                intent["_authenticated"] = True
                payment_flow.attempt(emu, intent, owner)
            return _json(public(intent))


def _refund_routes(app: Flask, emu: Emulator) -> None:
    @app.post("/_emulator/refunds/<refund_id>/fail")
    def fail(refund_id: str) -> Response:
        reason = _body().get("failure_reason", "expired_or_canceled_card")
        if reason not in FAILURE_REASONS:
            raise invalid(
                f"failure_reason must be one of {', '.join(FAILURE_REASONS)}",
                param="failure_reason",
            )
        with emu.store.lock:
            refund, owner = _owned(emu, refund_id, "refund")
            return _json(public(fail_refund(emu, refund, owner, reason)))


def _dispute_routes(app: Flask, emu: Emulator) -> None:
    @app.post("/_emulator/charges/<charge_id>/dispute")
    def dispute(charge_id: str) -> Response:
        with emu.store.lock:
            charge, owner = _owned(emu, charge_id, "charge")
            if not charge["captured"]:
                raise invalid(f"{charge_id} has not been captured.")
            return _json(
                public(open_dispute(emu, charge, owner, _body().get("reason", "fraudulent")))
            )

    @app.post("/_emulator/disputes/<dispute_id>/resolve")
    def resolve(dispute_id: str) -> Response:
        outcome = _body().get("outcome")
        if outcome not in ("won", "lost"):
            raise invalid("outcome must be won or lost", param="outcome")
        with emu.store.lock:
            found, owner = _owned(emu, dispute_id, "dispute")
            return _json(public(resolve_dispute(emu, found, owner, won=outcome == "won")))


def _event_routes(app: Flask, emu: Emulator) -> None:
    @app.post("/_emulator/trigger")
    def trigger_event() -> Response:
        body = _body()
        with emu.store.lock:
            before = set(emu.store.objects)
            trigger(emu, str(body.get("type", "")), body.get("account"), body.get("object"))
            created = [
                e
                for e in emu.store.objects.values()
                if e.get("object") == "event" and e["id"] not in before
            ]
            return _json({"events": [{"id": e["id"], "type": e["type"]} for e in created]})

    @app.get("/_emulator/trigger")
    def supported_triggers() -> Response:
        return _json({"types": sorted(FLOWS)})

    @app.get("/_emulator/deliveries")
    def deliveries() -> Response:
        attempts = emu.dispatcher.attempts_for(request.args.get("event"))
        return _json({"data": attempts, "pending": emu.dispatcher.pending_count()})


def _method(body: dict[str, Any]) -> TestMethod:
    if body.get("bank"):
        number = BANK_OUTCOMES.get(str(body["bank"]), str(body["bank"]))
        method = BANK_ACCOUNTS.get(number)
    else:
        method = CARDS.get("".join(str(body.get("card", "4242424242424242")).split()))
    if method is None:
        raise invalid("Unknown test card or bank outcome.", param="card")
    return method


def _processing(emu: Emulator, intent_id: str | None) -> list[Obj]:
    return [
        obj
        for obj in list(emu.store.objects.values())
        if obj.get("object") == "payment_intent"
        and obj["status"] == "processing"
        and (intent_id is None or obj["id"] == intent_id)
    ]

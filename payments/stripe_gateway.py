"""The only module that talks to Stripe (and the only one that imports `stripe`).

`AbstractStripeGateway` is the port the services call; `StripeGateway` adapts one
`stripe.StripeClient` (never the global `stripe.api_key`). Every call on a tenant's money acts
on its connected account (`Stripe-Account`), and every call that creates or changes something
carries an idempotency key. Stripe objects come back as plain dicts.

Stripe's errors are translated here, once, into the product's hierarchy (`translate`):

    CardError                         → PaymentDeclined 402
    InvalidRequestError, bad state    → Conflict 409       (e.g. payment_intent_unexpected_state)
    InvalidRequestError, missing      → NotFound 404       (resource_missing)
    InvalidRequestError, other        → Unprocessable 422
    IdempotencyError                  → Conflict 409
    RateLimitError                    → RateLimited 429
    Authentication/Permission, APIConnectionError, APIError (5xx) → UpstreamError 502

A translated error has `from_stripe = True`: Stripe answered it, so an idempotent replay of
the same request would get the same answer (see `payments.idempotency.replayable`).
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, cast

from core import errors

if TYPE_CHECKING:
    import stripe

__all__ = ["AbstractStripeGateway", "Obj", "StripeGateway", "translate"]

Obj = dict[str, Any]

BAD_STATE_CODES = frozenset(
    {
        "payment_intent_unexpected_state",
        "charge_already_captured",
        "charge_already_refunded",
        "charge_disputed",
        "charge_expired_for_capture",
        "account_invalid",
        "idempotency_key_in_use",
    }
)


class AbstractStripeGateway(abc.ABC):
    """What the services ask of Stripe. `account` is the tenant's connected account."""

    @abc.abstractmethod
    def create_account(self, params: Obj, *, idempotency_key: str | None) -> Obj: ...

    @abc.abstractmethod
    def retrieve_account(self, account: str) -> Obj: ...

    @abc.abstractmethod
    def create_account_link(self, account: str, *, refresh_url: str, return_url: str) -> Obj: ...

    @abc.abstractmethod
    def create_login_link(self, account: str) -> Obj: ...

    @abc.abstractmethod
    def create_checkout_session(
        self, account: str, params: Obj, *, idempotency_key: str | None
    ) -> Obj: ...

    @abc.abstractmethod
    def capture_payment_intent(
        self, account: str, intent: str, *, amount: int | None, idempotency_key: str | None
    ) -> Obj: ...

    @abc.abstractmethod
    def cancel_payment_intent(
        self, account: str, intent: str, *, reason: str | None, idempotency_key: str | None
    ) -> Obj: ...

    @abc.abstractmethod
    def create_refund(self, account: str, params: Obj, *, idempotency_key: str | None) -> Obj: ...

    @abc.abstractmethod
    def retrieve_object(self, account: str, kind: str, object_id: str) -> Obj:
        """A payment's object as Stripe holds it now; `kind` as the ledger names it
        (`payment_intent`, `checkout_session`, `charges`, `refunds`, `disputes`)."""


class StripeGateway(AbstractStripeGateway):
    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    @classmethod
    def connect(
        cls, api_key: str, *, api_base: str | None, max_network_retries: int
    ) -> StripeGateway:
        """A gateway on a new client; `api_base` points it at the Stripe emulator."""
        import stripe

        bases: Any = {"api": api_base, "connect": api_base, "files": api_base} if api_base else {}
        client = stripe.StripeClient(
            api_key, base_addresses=bases, max_network_retries=max_network_retries
        )
        return cls(client)

    def create_account(self, params: Obj, *, idempotency_key: str | None) -> Obj:
        return _call(
            self._client.v1.accounts.create, cast(Any, params), _options(None, idempotency_key)
        )

    def retrieve_account(self, account: str) -> Obj:
        return _call(self._client.v1.accounts.retrieve, account)

    def create_account_link(self, account: str, *, refresh_url: str, return_url: str) -> Obj:
        params = {
            "account": account,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        return _call(self._client.v1.account_links.create, cast(Any, params))

    def create_login_link(self, account: str) -> Obj:
        return _call(self._client.v1.accounts.login_links.create, account)

    def create_checkout_session(
        self, account: str, params: Obj, *, idempotency_key: str | None
    ) -> Obj:
        options = _options(account, idempotency_key)
        return _call(self._client.v1.checkout.sessions.create, cast(Any, params), options)

    def capture_payment_intent(
        self, account: str, intent: str, *, amount: int | None, idempotency_key: str | None
    ) -> Obj:
        params = {} if amount is None else {"amount_to_capture": amount}
        options = _options(account, idempotency_key)
        return _call(self._client.v1.payment_intents.capture, intent, cast(Any, params), options)

    def cancel_payment_intent(
        self, account: str, intent: str, *, reason: str | None, idempotency_key: str | None
    ) -> Obj:
        params = {} if reason is None else {"cancellation_reason": reason}
        options = _options(account, idempotency_key)
        return _call(self._client.v1.payment_intents.cancel, intent, cast(Any, params), options)

    def create_refund(self, account: str, params: Obj, *, idempotency_key: str | None) -> Obj:
        options = _options(account, idempotency_key)
        return _call(self._client.v1.refunds.create, cast(Any, params), options)

    def retrieve_object(self, account: str, kind: str, object_id: str) -> Obj:
        v1 = self._client.v1
        services: dict[str, Any] = {
            "payment_intent": v1.payment_intents,
            "checkout_session": v1.checkout.sessions,
            "charges": v1.charges,
            "refunds": v1.refunds,
            "disputes": v1.disputes,
        }
        return _call(services[kind].retrieve, object_id, {}, _options(account, None))


def _options(account: str | None, idempotency_key: str | None) -> Any:
    options: dict[str, str] = {}
    if account is not None:
        options["stripe_account"] = account
    if idempotency_key is not None:
        options["idempotency_key"] = idempotency_key
    return options


def _call(method: Any, *args: Any) -> Obj:
    import stripe

    try:
        result = method(*args)
    except stripe.StripeError as error:
        raise translate(error) from error
    return cast(Obj, result.to_dict())


def translate(error: stripe.StripeError) -> errors.AppError:
    """The product's error for a Stripe error, with a message safe to show to a client."""
    import stripe

    code = error.code or None
    message = _message(error)
    mapped: errors.AppError
    if isinstance(error, stripe.CardError):
        mapped = errors.PaymentDeclined(message, code=code or "card_declined")
    elif isinstance(error, stripe.RateLimitError):
        mapped = errors.RateLimited("Stripe is rate limiting requests; retry shortly")
    elif isinstance(error, stripe.IdempotencyError):
        mapped = errors.Conflict(message, code="stripe_idempotency_error")
    elif isinstance(error, stripe.InvalidRequestError):
        mapped = _invalid_request(error, code, message)
    elif isinstance(error, (stripe.AuthenticationError, stripe.PermissionError)):
        mapped = errors.UpstreamError("Stripe refused the platform's credentials")
    elif isinstance(error, stripe.APIConnectionError):
        mapped = errors.UpstreamError("Stripe could not be reached", code="stripe_unreachable")
    else:
        mapped = errors.UpstreamError("Stripe failed to handle the request")
    mapped.from_stripe = True
    return mapped


def _invalid_request(
    error: stripe.InvalidRequestError, code: str | None, message: str
) -> errors.AppError:
    if (error.http_status or 400) >= 500:
        return errors.UpstreamError("Stripe failed to handle the request")
    if code == "resource_missing":
        return errors.NotFound(message, code="stripe_resource_missing", param=error.param)
    if code in BAD_STATE_CODES:
        return errors.Conflict(message, code=code)
    return errors.Unprocessable(message, code=code or "stripe_invalid_request", param=error.param)


def _message(error: stripe.StripeError) -> str:
    text = error.user_message or (error.error.message if error.error else None) or ""
    return f"Stripe: {text}" if text else "Stripe refused the request"

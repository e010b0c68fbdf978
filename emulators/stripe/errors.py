"""Stripe's error shape: `{"error": {"type", "code", "message", "param"}}` plus a status."""

from __future__ import annotations

from typing import Any


class StripeApiError(Exception):
    """An error answered to the client exactly as Stripe would shape it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> StripeApiError:
    return StripeApiError(400, message, code=code, param=param)


def missing(kind: str, object_id: str, *, param: str = "id") -> StripeApiError:
    return StripeApiError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def unexpected_state(status: str, action: str, allowed: str) -> StripeApiError:
    """A PaymentIntent in the wrong status for `action` (e.g. capturing a canceled one)."""
    return StripeApiError(
        400,
        f"This PaymentIntent could not be {action} because it has a status of {status}. "
        f"Only a PaymentIntent with one of the following statuses may be {action}: {allowed}.",
        code="payment_intent_unexpected_state",
    )


def required(param: str) -> StripeApiError:
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")

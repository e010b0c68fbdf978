"""The one error hierarchy of the product. Each class carries its HTTP status.

    AppError 500
     ├── ValidationError 400
     │    └── InvalidSignature 400
     ├── Unauthorized 401
     ├── PaymentDeclined 402 (the card or bank refused the payment)
     ├── Forbidden 403
     ├── NotFound 404
     ├── MethodNotAllowed 405
     ├── Conflict 409
     │    ├── RequestInFlight 409 (an idempotent request still running; `Retry-After`)
     │    └── EventNotReady 409   (a webhook event that cannot apply yet; retried)
     ├── PayloadTooLarge 413
     ├── Unprocessable 422
     ├── RateLimited 429     (`Retry-After` when the wait is known)
     ├── UpstreamError 502   (Stripe failed or refused)
     │    └── MailSendFailed 502
     └── Unavailable 503     (Firestore unreachable)
          └── Contention 503  (a transaction kept colliding; retry later)

Every error class of the product is here (the ground floor: it imports nothing of ours). Only
the edge (`functions/_http.py`, and the dashboard's pages) turns these into responses, with the
headers `AppError.headers()` names; only the Stripe gateway, the mailer and the ledger translate
their libraries' exceptions into them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AppError",
    "Conflict",
    "Contention",
    "EventNotReady",
    "Forbidden",
    "FormErrors",
    "InvalidSignature",
    "MailSendFailed",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "PaymentDeclined",
    "RateLimited",
    "RequestInFlight",
    "Unauthorized",
    "Unavailable",
    "Unprocessable",
    "UpstreamError",
    "ValidationError",
]


class AppError(Exception):
    """Base of every error the API reports. `message` is safe to show to a client."""

    status = 500
    type = "api_error"
    code = "internal_error"
    from_stripe = False  # set by the Stripe gateway on an error that Stripe itself answered
    retry_after: int | None = None  # seconds; sent as `Retry-After` when set

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.param = param

    def to_body(self) -> dict[str, object]:
        error: dict[str, object] = {"type": self.type, "code": self.code, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}

    def headers(self) -> dict[str, str]:
        """Response headers the error's status calls for (RFC 9110: `Retry-After`, `Allow`)."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class ValidationError(AppError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class FormErrors(ValidationError):
    """Several fields of a dashboard form at once, each with its message (the form marks each
    field); `param` and `message` are the first's."""

    def __init__(self, fields: dict[str, str]) -> None:
        param, message = next(iter(fields.items()))
        super().__init__(message, code="parameter_missing", param=param)
        self.fields = fields


class InvalidSignature(ValidationError):
    code = "invalid_signature"


class Unauthorized(AppError):
    status = 401
    type = "authentication_error"
    code = "unauthenticated"


class PaymentDeclined(AppError):
    status = 402
    type = "card_error"
    code = "card_declined"


class Forbidden(AppError):
    status = 403
    type = "permission_error"
    code = "forbidden"


class NotFound(AppError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class MethodNotAllowed(AppError):
    status = 405
    type = "invalid_request_error"
    code = "method_not_allowed"

    def __init__(self, message: str, *, allowed: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.allowed = sorted(set(allowed))

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "Allow": ", ".join(self.allowed)}


class Conflict(AppError):
    status = 409
    type = "conflict_error"
    code = "conflict"


class RequestInFlight(Conflict):
    code = "idempotency_in_flight"
    retry_after = 2


class EventNotReady(Conflict):
    """The event cannot be applied yet (e.g. a refund before the capture it refunds): retry."""

    code = "event_not_ready"


class PayloadTooLarge(AppError):
    status = 413
    type = "invalid_request_error"
    code = "payload_too_large"


class Unprocessable(AppError):
    status = 422
    type = "invalid_request_error"
    code = "unprocessable"


class RateLimited(AppError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limited"

    def __init__(
        self, message: str, *, retry_after: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        if retry_after is not None:
            self.retry_after = retry_after

    def to_body(self) -> dict[str, object]:
        body = super().to_body()
        error = body["error"]
        if self.retry_after is not None and isinstance(error, dict):
            error["retry_after"] = self.retry_after
        return body


class UpstreamError(AppError):
    status = 502
    type = "api_error"
    code = "stripe_error"


class MailSendFailed(UpstreamError):
    code = "mail_send_failed"


class Unavailable(AppError):
    status = 503
    type = "api_error"
    code = "service_unavailable"


class Contention(Unavailable):
    code = "contention"

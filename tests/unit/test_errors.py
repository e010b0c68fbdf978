from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import errors

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bootstrap.py", "functions", "payments", "identity", "ledger", "auth")

EXPECTED_STATUS = {
    errors.AppError: 500,
    errors.ValidationError: 400,
    errors.InvalidSignature: 400,
    errors.FormErrors: 400,
    errors.Unauthorized: 401,
    errors.PaymentDeclined: 402,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.MethodNotAllowed: 405,
    errors.Conflict: 409,
    errors.RequestInFlight: 409,
    errors.EventNotReady: 409,
    errors.PayloadTooLarge: 413,
    errors.Unprocessable: 422,
    errors.RateLimited: 429,
    errors.UpstreamError: 502,
    errors.MailSendFailed: 502,
    errors.Unavailable: 503,
    errors.Contention: 503,
}


@pytest.mark.parametrize(("cls", "status"), EXPECTED_STATUS.items())
def test_each_error_carries_its_status(cls: type[errors.AppError], status: int) -> None:
    assert cls.status == status
    assert issubclass(cls, errors.AppError)


def test_every_exported_error_has_a_status_in_the_table() -> None:
    exported = {getattr(errors, name) for name in errors.__all__}
    assert exported == set(EXPECTED_STATUS)


def test_every_error_class_of_the_product_is_in_the_one_tree() -> None:
    bases = {"Exception", "BaseException", *errors.__all__}
    strays = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for root in PRODUCT
        for path in ([ROOT / root] if root.endswith(".py") else sorted((ROOT / root).rglob("*.py")))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).split(".")[-1] in bases for base in node.bases)
    ]
    assert strays == []


def test_a_known_wait_is_sent_as_retry_after() -> None:
    limited = errors.RateLimited("slow down", retry_after=42)
    assert limited.headers() == {"Retry-After": "42"}
    assert limited.to_body()["error"]["retry_after"] == 42  # type: ignore[index]
    assert errors.RateLimited("Stripe is rate limiting").headers() == {}
    assert errors.RequestInFlight("busy").headers() == {"Retry-After": "2"}


def test_body_has_type_code_message_and_optional_param() -> None:
    body = errors.ValidationError("amount must be positive", param="amount").to_body()
    assert body == {
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_request",
            "message": "amount must be positive",
            "param": "amount",
        }
    }
    assert "param" not in errors.NotFound("nope").to_body()["error"]  # type: ignore[operator]


def test_code_can_be_refined_per_instance_without_touching_the_class() -> None:
    error = errors.Conflict("in flight", code="idempotency_in_flight")
    assert error.code == "idempotency_in_flight"
    assert errors.Conflict.code == "conflict"

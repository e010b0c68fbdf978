"""Structured JSON logs in Cloud Logging's format: the one format, the request's context and
the edge's own messages. Each package names its messages in its own `logs` module
(`payments/webhooks/logs.py`, `identity/logs.py`), one helper per message, through `emit`.

Each line is a JSON object with `severity`, `message`, the request's trace
(`logging.googleapis.com/trace`) and request id, and the helper's own fields. Helpers take
only what is safe to log: never a secret, a token, a password, a key or card data.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "RequestContext",
    "configure_logging",
    "current_request",
    "emit",
    "log_request_completed",
    "log_unhandled_error",
    "request_context",
]

LOGGER_NAME = "payments"
_logger = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    trace: str | None = None  # "projects/P/traces/T", as Cloud Logging links it
    span_id: str | None = None


request_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "request_context", default=None
)


def current_request() -> RequestContext | None:
    return request_context.get()


class CloudLoggingFormatter(logging.Formatter):
    """Formats a record as one line of JSON that Cloud Logging parses into a LogEntry."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        context = current_request()
        if context is not None:
            entry["request_id"] = context.request_id
            if context.trace:
                entry["logging.googleapis.com/trace"] = context.trace
            if context.span_id:
                entry["logging.googleapis.com/spanId"] = context.span_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stdout` is at the time of the record, not at configuration."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the product's logs to stdout as JSON lines (idempotent)."""
    if any(isinstance(h, _StdoutHandler) for h in _logger.handlers):
        return
    handler = _StdoutHandler()
    handler.setFormatter(CloudLoggingFormatter())
    _logger.addHandler(handler)
    _logger.setLevel(level)
    _logger.propagate = False


def emit(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Log `message` with `fields` as the entry's own keys (an error's with the stack trace)."""
    logger.log(level, message, extra={"fields": fields}, exc_info=level >= logging.ERROR)


def _log(level: int, message: str, **fields: Any) -> None:
    emit(_logger, level, message, **fields)


def log_request_completed(
    *, method: str, path: str, status: int, latency_ms: float, function: str
) -> None:
    _logger.log(
        logging.WARNING if status >= 500 else logging.INFO,
        f"{method} {path} {status}",
        extra={
            "fields": {
                "function": function,
                "httpRequest": {
                    "requestMethod": method,
                    "requestUrl": path,
                    "status": status,
                    "latency": f"{latency_ms / 1000:.6f}s",
                },
            }
        },
    )


def log_unhandled_error(*, function: str, path: str) -> None:
    """Called from an `except` block: the stack trace goes to the log, never to the client."""
    _log(logging.ERROR, f"unhandled error in {function} at {path}", function=function)

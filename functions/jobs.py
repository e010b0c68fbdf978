"""`jobs`: work Cloud Scheduler starts. The retry sweeper runs failed webhook events whose
retry time has come and takes over claims whose holder died; the idempotency expiry deletes
API idempotency records older than 24 hours. Only the scheduler's service account gets past
the entry point (`functions._internal.require_internal_caller`), as for `process_event`."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._http import http_function, json_response
from functions._internal import require_internal_caller
from payments.webhooks import operations

__all__ = ["jobs"]


def retry_sweep(request: Request) -> Response:
    return json_response({"swept": operations.sweep(bootstrap.webhook_deps())})


def expire_idempotency(request: Request) -> Response:
    from datetime import UTC, datetime

    from payments.idempotency import expire_records

    return json_response({"expired": expire_records(bootstrap.store(), now=datetime.now(UTC))})


jobs = http_function("jobs", guard=require_internal_caller)

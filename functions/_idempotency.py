"""The HTTP side of the idempotency guard (`payments.idempotency`) for every POST that moves
money or creates a Stripe object.

    return idempotent(request, principal, lambda key: (201, service(cmd, key)))

With an `Idempotency-Key` header, the first response is stored and later ones with the same
key and request are replayed byte for byte with `Idempotent-Replayed: true`; a duplicate
while the first is in flight answers 409 with `Retry-After`. Without the header the action
simply runs (as Stripe does).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Request, Response

import bootstrap
from auth.principal import Principal
from functions._http import json_response
from payments import idempotency

__all__ = ["idempotent"]

Action = Callable[[str | None], tuple[int, object]]


def idempotent(request: Request, principal: Principal, action: Action) -> Response:
    raw_key = request.headers.get("Idempotency-Key")
    if raw_key is None:
        status, body = action(None)
        return json_response(body, status=status)
    guarded = idempotency.IdempotentRequest(
        tenant_id=principal.tenant_id,
        key=idempotency.validate_key(raw_key),
        method=request.method,
        path=request.path,
        body=request.get_data(cache=True),
    )
    stored = idempotency.run(bootstrap.store(), guarded, action, now=datetime.now(UTC))
    replayed = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return Response(
        stored.body, status=stored.status, headers=replayed, mimetype="application/json"
    )

"""Schemathesis against the running app: every operation of `openapi.yaml`, over real HTTP, with
the Firestore and Stripe emulators behind it, answers no 5xx and nothing the document does not
describe (status, content type, body schema, headers), refuses requests the document says are
invalid, answers undeclared methods with 405 and `Allow`, and does not ignore its credential.

The caller is the owner API key of a seeded tenant whose Stripe account is onboarded on the
emulator, so generated requests get past authentication and reach the services. The tenant has
real payments (paid, authorized, disputed, unpaid), a dispute, webhook events, a spare API key
and a member; generated ids (in paths, `X-Tenant-Id`, a refund's `payment_id`) are sometimes
swapped for theirs (`REAL_IDS`), so the success answers are checked against the document too,
not only the 404s and 403s.

`POST /webhook` is fuzzed unsigned (generated bodies cannot carry Stripe's signature over their
own bytes): every request must be refused with a documented 400, never a 5xx; signed deliveries
are tests/e2e/webhooks' job. The internal routes (`/tasks/*`, `/jobs/*`) are fuzzed with the
stack's internal token (their credential, `internalCaller`), their credential probed like the
others'.

Bounded: the coverage phase (boundary and invalid values of each parameter) plus
`MAX_EXAMPLES` random cases per operation, with a fixed seed so a run is reproducible
(`SCHEMATHESIS_SEED=<n>` explores another one).
"""

from __future__ import annotations

import functools
import os
import re
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import ignored_auth

import bootstrap
from auth.principal import Role
from emulators import gcloud
from functions.discovery import OPENAPI_FILE
from tests.e2e import api_client
from tests.e2e.api.stack import ApiStack, api_stack, connect_tenant
from tests.e2e.auth.helpers import SeededTenant, seed_tenant
from tests.support.settings import INTERNAL_HEADERS
from tests.support.waiting import eventually

# pyproject.toml keeps schemathesis' pytest plugin out of every other pytest run; this module,
# the one that needs it, loads it.
pytest_plugins = ["schemathesis.pytest.plugin"]

VALID_KEY = re.compile(r"[ -~]{1,255}")
CARD_OK, CARD_DISPUTE = "4242424242424242", "4000000000000259"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261129"))

schema = schemathesis.openapi.from_path(
    str(OPENAPI_FILE),
    config=SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "database": "none",  # no .hypothesis/ directory in the work tree
                "with-security-parameters": False,  # the real credential is sent instead
            },
            "phases": {"coverage": {"unexpected-methods": ["put"]}},
            "checks": {
                # A schema-valid request may still be refused for what a schema cannot say
                # (a random `cursor`, a weak password, mixed currencies): those 400s are
                # documented, so status conformance holds them, not this check.
                "positive_data_acceptance": {"enabled": False},
            },
            "operations": [
                # The ordered apply queue's endpoint acknowledges (200 `rejected`) a message it
                # cannot read, as documented: a refusal would hold its payment's key forever.
                {
                    "include-path": "/tasks/apply-event",
                    "checks": {"negative_data_rejection": {"enabled": False}},
                },
            ],
        }
    ),
)

# path parameter (or body field) name -> ids of real resources of the fuzzed tenant
REAL_IDS: dict[str, list[str]] = {}


def _use_real_ids(case: Any) -> None:
    """Swap some generated ids for real ones (chosen by the generated value, so a seed still
    replays the same run). Never in a part generated to be invalid: it must stay invalid."""
    for location, values in (
        (ParameterLocation.PATH, case.path_parameters),
        (ParameterLocation.HEADER, case.headers),
        (ParameterLocation.BODY, case.body),
    ):
        if not isinstance(values, dict) or (case.meta and case.meta.is_negative_at(location)):
            continue
        for name, value in values.items():
            ids = REAL_IDS.get(name, [])
            pick = zlib.crc32(repr(value).encode()) % (len(ids) + 1)  # or keep the generated one
            if pick < len(ids):
                values[name] = ids[pick]


@dataclass
class FuzzWorld:
    stack: ApiStack
    tenant: SeededTenant
    auth_probed: set[str] = field(default_factory=set)  # operations whose credential was probed
    probes_since_clear: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.tenant.keys[Role.OWNER]}

    def headers_for(self, case: Any) -> dict[str, str]:
        """The owner's key, or for an internal route the queues' and scheduler's token."""
        internal = "internal" in (case.operation.tags or [])
        return INTERNAL_HEADERS if internal else self.headers


@pytest.fixture(scope="module")
def fuzz_world(
    firestore_emulator: gcloud.RunningEmulator,
    pubsub_emulator: gcloud.RunningEmulator,
    mail_capture: str,
) -> Iterator[FuzzWorld]:
    gcloud.reset_firestore(firestore_emulator.host_port, os.environ["GOOGLE_CLOUD_PROJECT"])
    bootstrap.reset()
    with api_stack(mail_capture, pubsub_emulator) as stack:
        tenant = seed_tenant("Fuzz")
        connect_tenant(stack.stripe_url, tenant.tenant_id)
        world = FuzzWorld(stack, tenant)
        REAL_IDS.update(_real_resources(world))
        yield world
    REAL_IDS.clear()
    bootstrap.reset()


def _real_resources(world: FuzzWorld) -> dict[str, list[str]]:
    """Payments in four states, a dispute, inbox events, a spare key, a member, the tenant."""
    sessions = {
        "paid": _checkout(world, "paid", CARD_OK),
        "authorized": _checkout(world, "authorized", CARD_OK, capture_method="manual"),
        "disputed": _checkout(world, "disputed", CARD_DISPUTE),
        "unpaid": _checkout(world, "unpaid", None),
    }
    settled = {"paid": "succeeded", "authorized": "requires_capture", "disputed": "disputed"}
    payments = [sessions["unpaid"]]
    for reference, status in settled.items():
        settled_id = eventually(functools.partial(_payment, world, reference, status), status)
        payments.append(str(settled_id))
    disputes = _get(world, "/disputes")["data"]
    spare = world.stack.call("POST", "/api-keys", world.headers, json={"role": "viewer"})
    return {
        "payment_id": payments,
        "dispute_id": [d["id"] for d in disputes],
        "event_id": [e["id"] for e in _get(world, "/webhook-events?limit=3")["data"]],
        "key_id": [spare.json()["id"]],
        "user_id": [world.tenant.users[Role.VIEWER].user_id],
        "X-Tenant-Id": [world.tenant.tenant_id],
    }


def _checkout(world: FuzzWorld, reference: str, card: str | None, **extra: Any) -> str:
    body = {
        "line_items": [{"name": "Fuzz", "unit_amount": 5000, "quantity": 1, "currency": "usd"}],
        "success_url": "https://shop.example/ok",
        "cancel_url": "https://shop.example/no",
        "client_reference_id": reference,
        **extra,
    }
    session = world.stack.call("POST", "/checkout-sessions", world.headers, json=body).json()
    if card is not None:  # pay on the emulator's hosted page, as a customer would
        form = {"method": "card", "card_number": card, "email": "fuzz@example.test"}
        paid = requests.post(session["url"], data=form, allow_redirects=False, timeout=10)
        assert paid.status_code == 303, paid.text
    return str(session["id"])


def _payment(world: FuzzWorld, reference: str, status: str) -> str | None:
    rows = _get(world, f"/payments?client_reference_id={reference}")["data"]
    return str(rows[0]["id"]) if rows and rows[0]["status"] == status else None


def _get(world: FuzzWorld, path: str) -> Any:
    response = world.stack.call("GET", path, world.headers)
    assert response.status_code == 200, response.text
    return response.json()


@schema.parametrize()
def test_the_running_app_answers_as_its_openapi_document_says(
    case: Any, fuzz_world: FuzzWorld
) -> None:
    _fresh_idempotency_key(case)
    _use_real_ids(case)
    label = case.operation.label
    if label in fuzz_world.auth_probed:
        # One refused probe per operation proves the credential is checked; probing every
        # case would triple the requests.
        case.call_and_validate(
            base_url=fuzz_world.stack.url,
            headers=fuzz_world.headers_for(case),
            excluded_checks=[ignored_auth],
        )
        return
    # Each probe run sends bad API keys; past 20 failures a client gets 429 instead of 401 (as
    # it should), which would hide whether the next probe was refused for its credential.
    if fuzz_world.probes_since_clear >= 5:
        _clear_rate_limits()
        fuzz_world.probes_since_clear = 0
    response = case.call_and_validate(
        base_url=fuzz_world.stack.url, headers=fuzz_world.headers_for(case)
    )
    if 200 <= response.status_code < 300:  # the probes ran (they follow a success only)
        fuzz_world.auth_probed.add(label)
        fuzz_world.probes_since_clear += 1


def _fresh_idempotency_key(case: Any) -> None:
    """A valid generated key, made unique: keys drawn from the same few boundary values would
    collide across different bodies (409 `idempotency_key_reused`, correctly) and hide how the
    body itself is answered. An invalid key stays, to be refused."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        case.headers["Idempotency-Key"] = (uuid.uuid4().hex * 8)[: max(len(key), 12)]


def _clear_rate_limits() -> None:
    db = bootstrap.firestore_client()
    for snapshot in db.collection("rate_limits").stream():
        snapshot.reference.delete()


# Regressions: each of these answered 500 (or accepted what the document refuses) before it
# was fixed; found by the run above or while writing the document it checks.
REFUSED: list[tuple[str, str, dict[str, Any], int]] = [
    # a Firestore integer is 64 bits: the query itself failed
    ("GET", "/api/v1/payments?created_gte=100000000000000000000", {}, 400),
    ("GET", "/api/v1/payments?created_lte=253402300800", {}, 400),
    # a cursor this API never returned, with a created time past 64 bits
    ("GET", "/api/v1/refunds?cursor=WzEwMDAwMDAwMDAwMDAwMDAwMDAwMCwieCJd", {}, 400),
    # ids Firestore cannot hold (reserved `__…__`): no such document, not a refused request
    ("GET", "/api/v1/disputes/__x__", {}, 404),
    ("POST", "/api/v1/webhook-events/__x__/replay", {}, 404),
    ("DELETE", "/api/v1/api-keys/__x__", {}, 404),
    ("GET", "/api/v1/payments/__x__", {}, 404),
    # a body whose `name` is not text was silently renamed "API key"
    ("POST", "/api/v1/api-keys", {"json": {"name": {}}}, 400),
    # a logout whose refresh token is not a string revoked nothing and answered 204
    ("POST", "/api/v1/logout", {"json": {"refresh_token": 5}}, 400),
    # JSON nested past the parser's depth, and a lone surrogate escape (not text: it could not
    # be hashed, stored or sent on)
    ("POST", "/api/v1/login", {"data": "[" * 100_000 + "]" * 100_000}, 400),
    ("POST", "/api/v1/login", {"data": '{"email": "\\ud800@x.io", "password": "p"}'}, 400),
    ("POST", "/api/v1/refunds", {"data": '{"payment_id": "pi_\\udfff"}'}, 400),
]


@pytest.mark.parametrize(("method", "path", "send", "status"), REFUSED)
def test_inputs_that_once_broke_the_api_are_refused_cleanly(
    fuzz_world: FuzzWorld, method: str, path: str, send: dict[str, Any], status: int
) -> None:
    headers = {**fuzz_world.headers}
    if "data" in send:
        headers["Content-Type"] = "application/json"
    response = api_client.request(method, fuzz_world.stack.url, path, headers=headers, **send)
    assert response.status_code == status, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_a_tenant_id_that_cannot_be_a_document_id_is_forbidden_for_a_user(
    fuzz_world: FuzzWorld,
) -> None:
    """With a JWT, `X-Tenant-Id` becomes part of the membership's document id (a 500 with `/`)."""
    token = fuzz_world.tenant.users[Role.OWNER].token
    for tenant in ("a/b", "__x__", "x" * 1600):
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-Id": tenant}
        response = api_client.get(fuzz_world.stack.url, "/api/v1/me", headers=headers)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "tenant_forbidden"


def test_a_method_a_path_does_not_allow_is_405_with_allow(fuzz_world: FuzzWorld) -> None:
    response = api_client.request(
        "PUT", fuzz_world.stack.url, "/api/v1/refunds", headers=fuzz_world.headers
    )
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"

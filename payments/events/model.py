"""A verified Stripe event, and what applying one changes (the handlers' vocabulary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import ValidationError

__all__ = [
    "Fact",
    "NoChange",
    "PaymentChange",
    "SourceUpdate",
    "StripeEvent",
    "TenantChange",
]

Obj = dict[str, Any]


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    created: int
    livemode: bool
    account: str | None
    object: Obj
    previous_attributes: Obj | None
    payload: Obj  # the whole event as Stripe sent it

    @classmethod
    def from_payload(cls, payload: Any) -> StripeEvent:
        """Validate the shape of an event; a `ValidationError` says what is missing."""
        if not isinstance(payload, dict) or payload.get("object") != "event":
            raise ValidationError("The body is not a Stripe event", code="not_an_event")
        event_id, event_type, created = (
            payload.get("id"),
            payload.get("type"),
            payload.get("created"),
        )
        data = payload.get("data")
        if not (isinstance(event_id, str) and event_id.startswith("evt_")):
            raise ValidationError("The event has no valid id", code="not_an_event", param="id")
        if not isinstance(event_type, str) or not event_type:
            raise ValidationError("The event has no type", code="not_an_event", param="type")
        if not isinstance(created, int) or isinstance(created, bool):
            raise ValidationError(
                "The event has no created time", code="not_an_event", param="created"
            )
        if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
            raise ValidationError("The event has no data.object", code="not_an_event", param="data")
        account = payload.get("account")
        previous = data.get("previous_attributes")
        return cls(
            id=event_id,
            type=event_type,
            created=created,
            livemode=bool(payload.get("livemode", False)),
            account=account if isinstance(account, str) else None,
            object=data["object"],
            previous_attributes=previous if isinstance(previous, dict) else None,
            payload=payload,
        )


@dataclass(frozen=True)
class SourceUpdate:
    """The state of one Stripe object as an event (or a read from Stripe) shows it.

    `key` is (the event's `created` second, then a coarse progress rank): the second orders
    states; within one second `machines.order` decides, and the rank only makes the pick
    among ambiguous states deterministic. `previous` is the event's `previous_attributes`, as
    far as `state` keeps them. A resync (`observed` set) is the object as Stripe held it when
    read, to settle the state whose event id `observed` names.
    """

    kind: str  # payment_intent | checkout_session | charges | refunds | disputes
    id: str
    key: tuple[int, ...]
    state: Obj
    previous: Obj | None = None
    observed: str | None = None


@dataclass(frozen=True)
class Fact:
    """A financial fact an event proves; its id is derived from its source and type."""

    type: str  # charge, capture, refund(_reversal), dispute(_reversal), application_fee
    source_id: str
    amount: int
    currency: str

    @property
    def id(self) -> str:
        return f"{self.source_id}:{self.type}"


@dataclass(frozen=True)
class PaymentChange:
    payment_id: str
    summary: str
    sources: tuple[SourceUpdate, ...] = ()
    facts: tuple[Fact, ...] = ()
    flags: tuple[str, ...] = ()
    provisional_id: str | None = None  # a payment recorded under its Checkout Session id
    checkout_ref: str | None = None  # names that provisional payment before the session does


@dataclass(frozen=True)
class TenantChange:
    account_id: str
    summary: str
    key: tuple[int, ...]
    fields: Obj = field(default_factory=dict)
    metadata_tenant_id: str | None = None


@dataclass(frozen=True)
class NoChange:
    summary: str

"""Customers: create, retrieve, update, list, delete."""

from __future__ import annotations

from ..shapes import shaped
from ..store import Obj, new_id, now, public
from .common import Call, Route, apply_metadata, changes, created_filter, str_param

FIELDS = ("email", "name", "phone", "description")


def create_customer(call: Call) -> Obj:
    customer = shaped(
        "customer",
        {
            "id": new_id("cus_", 14),
            "object": "customer",
            "address": call.params.get("address"),
            "balance": 0,
            "created": now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "discount": None,
            "invoice_prefix": new_id("", 8).upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": apply_metadata({}, call.params.get("metadata")),
            "next_invoice_sequence": 1,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
            **{field: str_param(call.params, field) for field in FIELDS},
        },
    )
    call.emu.store.add(customer, call.account)
    call.emu.emit("customer.created", customer, call.account)
    return public(customer)


def retrieve_customer(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "customer"))


def update_customer(call: Call, object_id: str) -> Obj:
    customer = call.get(object_id, "customer")
    updates: Obj = {f: str_param(call.params, f) for f in FIELDS if f in call.params}
    if "metadata" in call.params:
        updates["metadata"] = apply_metadata(customer["metadata"], call.params["metadata"])
    previous = changes(customer, updates)
    if previous:
        call.emu.emit("customer.updated", customer, call.account, previous)
    return public(customer)


def delete_customer(call: Call, object_id: str) -> Obj:
    customer = call.get(object_id, "customer")
    call.emu.store.remove(customer["id"])
    call.emu.emit("customer.deleted", customer, call.account)
    return shaped("deleted_customer", {"id": customer["id"], "object": "customer", "deleted": True})


def list_customers(call: Call) -> Obj:
    email = str_param(call.params, "email")
    in_range = created_filter(call.params)
    return call.list_of(
        "customer", lambda c: in_range(c) and (email is None or c["email"] == email)
    )


ROUTES = [
    Route("POST", "/v1/customers", create_customer, "CustomerCreateParams"),
    Route("GET", "/v1/customers", list_customers, "CustomerListParams"),
    Route("GET", "/v1/customers/<object_id>", retrieve_customer, "CustomerRetrieveParams"),
    Route("POST", "/v1/customers/<object_id>", update_customer, "CustomerUpdateParams"),
    Route("DELETE", "/v1/customers/<object_id>", delete_customer, "CustomerDeleteParams"),
]

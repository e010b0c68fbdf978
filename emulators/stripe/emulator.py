"""The emulator's state root: store, webhook dispatcher, event emission, timers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .config import API_VERSION, EmulatorConfig
from .errors import StripeApiError
from .shapes import shaped
from .store import Obj, Store, new_id, now, public
from .webhooks import Dispatcher, endpoint_matches


class Emulator:
    """Shared by every request; all mutations happen under `store.lock`."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = Store()
        self.dispatcher = Dispatcher(self.store, config)
        self._timers: list[threading.Timer] = []
        self._generation = 0
        self._register_startup_endpoints()

    def reset(self) -> None:
        with self.store.lock:
            self._generation += 1
            for timer in self._timers:
                timer.cancel()
            self._timers = []
            self.store.reset()
            self.dispatcher.reset()
            self._register_startup_endpoints()

    def require_account(self, account: str | None) -> None:
        """Stripe's permission error for a `Stripe-Account` the platform does not own."""
        if account is None or self.store.find(account, None, "account") is not None:
            return
        raise StripeApiError(
            403,
            f"The provided key does not have access to account '{account}' "
            "(or that account does not exist). Application access may have been revoked.",
            code="account_invalid",
        )

    def emit(
        self, event_type: str, obj: Obj, account: str | None, previous: Obj | None = None
    ) -> Obj:
        """Record an event for `obj` as it is now and queue it for every matching endpoint."""
        with self.store.lock:
            data: Obj = {"object": public(obj)}
            if previous:
                data["previous_attributes"] = previous
            event = shaped(
                "event",
                {
                    "id": new_id("evt_"),
                    "object": "event",
                    "api_version": API_VERSION,
                    "created": now(),
                    "data": data,
                    "livemode": False,
                    "pending_webhooks": 0,
                    "request": {"id": None, "idempotency_key": None},
                    "type": event_type,
                },
            )
            if account is not None:
                event["account"] = account
            endpoints = [
                endpoint
                for endpoint in self.store.objects.values()
                if endpoint.get("object") == "webhook_endpoint"
                and endpoint_matches(endpoint, self.store.owner_of(endpoint["id"]), event)
            ]
            event["_pending_endpoints"] = {e["id"] for e in endpoints}
            event["pending_webhooks"] = len(endpoints)
            self.store.add(event, account)
            self.dispatcher.enqueue(event, endpoints)
            return event

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Run `action` under the lock after `delay` seconds, unless the emulator is reset."""
        generation = self._generation

        def fire() -> None:
            with self.store.lock:
                if generation == self._generation:
                    action()

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self.store.lock:
            self._timers.append(timer)
        timer.start()

    def _register_startup_endpoints(self) -> None:
        url = self.config.webhook_url
        if url and self.config.webhook_secret:
            self.add_endpoint(url, ["*"], connect=False, secret=self.config.webhook_secret)
        if url and self.config.connect_webhook_secret:
            self.add_endpoint(url, ["*"], connect=True, secret=self.config.connect_webhook_secret)

    def add_endpoint(
        self,
        url: str,
        events: list[str],
        *,
        connect: bool,
        secret: str | None = None,
        owner: str | None = None,
        description: str | None = None,
        metadata: Obj | None = None,
    ) -> Obj:
        endpoint = shaped(
            "webhook_endpoint",
            {
                "id": new_id("we_"),
                "object": "webhook_endpoint",
                "api_version": None,
                "application": None,
                "created": now(),
                "description": description,
                "enabled_events": events,
                "livemode": False,
                "metadata": metadata or {},
                "status": "enabled",
                "url": url,
                "_secret": secret or new_id("whsec_", 32),
                "_connect": connect,
            },
        )
        return self.store.add(endpoint, owner)

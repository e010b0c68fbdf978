"""The routing table: every route, the deployed function that serves it, and its view.

Pure data, cheap to import. The local all-functions server (`python -m functions serve`) uses it
to pick a function for a path, each deployed function uses its own rows to pick a view, and the
deploy (`cloudbuild.yaml`, checked by a test) deploys exactly the functions named here.
Paths use werkzeug's rule syntax (`/api/v1/payments/<payment_id>`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["API_PREFIX", "FUNCTION_NAMES", "ROUTES", "Route", "routes_of"]

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    function: str  # the deployed function, also its module `functions.<function>`
    method: str
    path: str
    view: str  # the attribute of `functions.<function>` that answers it
    summary: str


ROUTES: tuple[Route, ...] = (
    Route("discovery", "GET", API_PREFIX, "index", "Version and links to every route"),
    Route("discovery", "GET", "/health", "health", "Liveness"),
    Route("discovery", "GET", f"{API_PREFIX}/health", "health", "Liveness"),
    Route(
        "discovery", "GET", f"{API_PREFIX}/health/ready", "ready", "Readiness: Firestore answers"
    ),
)

FUNCTION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(route.function for route in ROUTES))


def routes_of(function: str) -> tuple[Route, ...]:
    return tuple(route for route in ROUTES if route.function == function)

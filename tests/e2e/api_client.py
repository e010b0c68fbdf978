"""Request helpers for end-to-end tests over real HTTP."""

from __future__ import annotations

from typing import Any

import requests


def get(base_url: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(base_url + path, timeout=10, **kwargs)


def post(base_url: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(base_url + path, timeout=10, **kwargs)


def patch(base_url: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.patch(base_url + path, timeout=10, **kwargs)


def delete(base_url: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.delete(base_url + path, timeout=10, **kwargs)


def request(method: str, base_url: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, base_url + path, timeout=10, **kwargs)

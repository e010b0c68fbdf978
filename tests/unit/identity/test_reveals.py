"""A new secret is shown once, on the page after the form's redirect (`identity.reveals`)."""

from __future__ import annotations

import dataclasses

from auth.secrets import sha256
from identity import reveals
from identity.records import reveal_key
from tests.unit.identity.support import World

SESSION = "session-id-of-the-browser-0123456789"
SECRET = {"key": "sk_test_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL", "name": "Shop"}


def test_the_next_page_takes_it_once_and_a_reload_finds_nothing() -> None:
    world = World()
    reveals.hold(world.ctx, SESSION, SECRET)
    assert reveals.take(world.ctx, SESSION) == SECRET
    assert reveals.take(world.ctx, SESSION) is None


def test_it_is_sealed_for_its_own_session_only() -> None:
    world = World()
    reveals.hold(world.ctx, SESSION, SECRET)
    doc = world.store.get(reveal_key(sha256(SESSION)))
    assert doc is not None
    assert SECRET["key"] not in repr(doc) and SESSION not in repr(doc)
    assert reveals.take(world.ctx, "another-session-id-000000000000000") is None
    assert reveals.take(world.ctx, SESSION) == SECRET


def test_an_unread_secret_expires_and_a_new_signing_key_cannot_open_it() -> None:
    world = World()
    reveals.hold(world.ctx, SESSION, SECRET)
    world.clock.advance(seconds=reveals.REVEAL_TTL.total_seconds())
    assert reveals.take(world.ctx, SESSION) is None

    reveals.hold(world.ctx, SESSION, SECRET)
    rotated = dataclasses.replace(world.ctx, signing_key="another-signing-key-0123456789abcdef")
    assert reveals.take(rotated, SESSION) is None
    assert reveals.take(world.ctx, SESSION) is None  # taking it, unreadable, still spent it

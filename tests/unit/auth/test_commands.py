"""Request bodies of the identity flows are validated at the edge into frozen commands."""

from __future__ import annotations

from typing import Any

import pytest

from auth.principal import Role
from core.errors import ValidationError
from identity.commands import ChangeRole, CreateApiKey, Credentials, Invite, Signup, VerifyCode

GOOD = {"email": " Ada@Example.TEST ", "password": "a long passphrase", "business_name": " Acme "}


def test_signup_normalizes_and_hides_the_password() -> None:
    command = Signup.from_body(GOOD)
    assert (command.email, command.business_name) == ("ada@example.test", "Acme")
    assert "passphrase" not in repr(command)
    assert "passphrase" not in repr(Credentials.from_body(GOOD))


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({**GOOD, "email": "not-an-email"}, "email"),
        ({**GOOD, "email": None}, "email"),
        ({**GOOD, "business_name": ""}, "business_name"),
        ({**GOOD, "business_name": "x" * 101}, "business_name"),
        ({"email": GOOD["email"], "business_name": "Acme"}, "password"),
    ],
)
def test_signup_says_which_field_is_wrong(body: dict[str, Any], param: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Signup.from_body(body)
    assert refused.value.param == param


def test_codes_roles_and_keys() -> None:
    assert VerifyCode.from_body({"email": "a@b.co", "code": "012345"}).code == "012345"
    for code in ("12345", "abcdef", "1234567"):
        with pytest.raises(ValidationError):
            VerifyCode.from_body({"email": "a@b.co", "code": code})
    assert Invite.from_body({"email": "a@b.co"}).role is Role.VIEWER
    assert ChangeRole.from_body({"role": "admin"}, user_id="usr_1").role is Role.ADMIN
    with pytest.raises(ValidationError):
        ChangeRole.from_body({"role": "superuser"}, user_id="usr_1")
    assert CreateApiKey.from_body({}) == CreateApiKey(name="API key", role=None)
    assert CreateApiKey.from_body({"name": "ci", "role": "developer"}).role is Role.DEVELOPER
    assert CreateApiKey.from_body({"name": None}).name == "API key"
    assert CreateApiKey.from_body({"name": "  "}).name == "API key"
    not_text: tuple[object, ...] = ({}, [], 0, False)  # refused, not silently renamed
    for name in not_text:
        with pytest.raises(ValidationError):
            CreateApiKey.from_body({"name": name})

"""Members: invite by email, accept, pick the tenant with X-Tenant-Id, change roles, remove."""

from __future__ import annotations

import uuid

from auth.principal import Role
from emulators.gcloud import RunningEmulator
from tests.e2e import api_client
from tests.e2e.auth.helpers import (
    PASSWORD,
    latest_link,
    seed_tenant,
    seed_user,
    service_context,
)
from tests.support.stacks import auth_server


def test_invite_accept_switch_tenant_change_role_and_remove(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    acme, globex = seed_tenant("Acme"), seed_tenant("Globex")
    invitee = seed_user(service_context(), globex.tenant_id, Role.VIEWER)
    invitee_auth = {"Authorization": f"Bearer {invitee.token}"}
    admin = acme.headers(Role.ADMIN)
    with auth_server(mail_capture) as stack:
        invited = api_client.post(
            stack.url,
            "/api/v1/members",
            json={"email": invitee.email, "role": "developer"},
            headers=admin,
        )
        assert invited.status_code == 201, invited.text
        token = latest_link(mail_capture, invitee.email).split("token=", 1)[1]

        stranger = acme.headers(Role.VIEWER)
        wrong_person = api_client.post(
            stack.url, "/api/v1/invitations/accept", json={"token": token}, headers=stranger
        )
        assert wrong_person.status_code == 404
        accepted = api_client.post(
            stack.url, "/api/v1/invitations/accept", json={"token": token}, headers=invitee_auth
        )
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"tenant_id": acme.tenant_id, "role": "developer"}

        me = api_client.get(stack.url, "/api/v1/me", headers=invitee_auth).json()
        assert me["tenant_id"] == globex.tenant_id  # the token's default tenant
        assert {(m["tenant_id"], m["role"], m["tenant_name"]) for m in me["memberships"]} == {
            (globex.tenant_id, "viewer", "Globex"),
            (acme.tenant_id, "developer", "Acme"),
        }
        in_acme = {**invitee_auth, "X-Tenant-Id": acme.tenant_id}
        assert (
            api_client.get(stack.url, "/api/v1/me", headers=in_acme).json()["role"] == "developer"
        )
        elsewhere = {**invitee_auth, "X-Tenant-Id": "ten_not_mine"}
        assert api_client.get(stack.url, "/api/v1/me", headers=elsewhere).status_code == 403

        path = f"/api/v1/members/{invitee.user_id}"
        promoted = api_client.patch(stack.url, path, json={"role": "admin"}, headers=admin)
        assert promoted.status_code == 200
        assert api_client.get(stack.url, "/api/v1/me", headers=in_acme).json()["role"] == "admin"
        to_owner = api_client.patch(stack.url, path, json={"role": "owner"}, headers=admin)
        assert to_owner.status_code == 403

        listed = api_client.get(stack.url, "/api/v1/members", headers=acme.headers(Role.VIEWER))
        assert invitee.user_id in {m["user_id"] for m in listed.json()["data"]}

        removed = api_client.delete(stack.url, path, headers=admin)
        assert removed.status_code == 204
        assert api_client.get(stack.url, "/api/v1/me", headers=in_acme).status_code == 403


def test_the_last_owner_stays(firestore: RunningEmulator, mail_capture: str) -> None:
    acme = seed_tenant("Acme")
    owner = acme.headers(Role.OWNER)
    owner_id = acme.users[Role.OWNER].user_id
    with auth_server(mail_capture) as stack:
        path = f"/api/v1/members/{owner_id}"
        last = api_client.delete(stack.url, path, headers=owner)
        assert last.status_code == 409
        assert last.json()["error"]["code"] == "last_owner"
        demote = api_client.patch(stack.url, path, json={"role": "admin"}, headers=owner)
        assert demote.status_code == 409

        admin_id = acme.users[Role.ADMIN].user_id
        admin_path = f"/api/v1/members/{admin_id}"
        second = api_client.patch(stack.url, admin_path, json={"role": "owner"}, headers=owner)
        assert second.status_code == 200
        assert api_client.delete(stack.url, path, headers=owner).status_code == 204


def test_an_unverified_admin_cannot_send_invitations(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    """Issue 14, item 4: inviting mails any address, so only a verified sender may."""
    acme = seed_tenant("Acme")
    unverified = seed_user(service_context(), acme.tenant_id, Role.ADMIN, verified=False)
    body = {"email": "someone@example.test", "role": "viewer"}
    with auth_server(mail_capture) as stack:
        refused = api_client.post(
            stack.url,
            "/api/v1/members",
            json=body,
            headers={"Authorization": f"Bearer {unverified.token}"},
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "email_not_verified"
        sent = api_client.post(
            stack.url, "/api/v1/members", json=body, headers=acme.headers(Role.ADMIN)
        )
        assert sent.status_code == 201, sent.text


def test_someone_new_joins_through_the_invitation_and_logs_in(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    """Issue 15, item 1: an invitee new to the product had to sign up a business of their own
    first, and the verification's redirect then broke the invitation's link."""
    acme = seed_tenant("Acme")
    email = f"new-{uuid.uuid4().hex[:8]}@example.test"
    with auth_server(mail_capture) as stack:
        invited = api_client.post(
            stack.url,
            "/api/v1/members",
            json={"email": email, "role": "developer"},
            headers=acme.headers(Role.ADMIN),
        )
        assert invited.status_code == 201, invited.text
        token = latest_link(mail_capture, email).split("token=", 1)[1]
        join = {"token": token, "password": PASSWORD}
        joined = api_client.post(stack.url, "/api/v1/invitations/join", json=join)
        assert joined.status_code == 201, joined.text
        assert joined.json()["tenant_id"] == acme.tenant_id
        assert joined.json()["role"] == "developer"
        assert joined.json()["user"]["email_verified"] is True
        again = api_client.post(stack.url, "/api/v1/invitations/join", json=join)
        assert again.status_code == 404

        login = {"email": email, "password": PASSWORD}
        tokens = api_client.post(stack.url, "/api/v1/login", json=login).json()
        me = api_client.get(
            stack.url, "/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).json()
        assert me["memberships"] == [
            {"tenant_id": acme.tenant_id, "role": "developer", "tenant_name": "Acme"}
        ]

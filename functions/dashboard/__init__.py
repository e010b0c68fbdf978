"""`dashboard`: the merchant web UI, server-rendered HTML on the session cookie.

Views by area (each module calls the same service functions as the API's functions):
`account_views` (sign up, log in, log out), `verify_views` (code and link), `tenant_views`
(invitations, switching business), `home_views` (onboarding state, 30-day numbers),
`payment_views` and `payment_action_views` (capture, cancel, refund), `list_views` (refunds,
disputes), `developer_views` (API keys, webhook inbox), `team_views`, `static_views`.
`_session` knows who is looking and what they may do, `_web` renders pages and errors,
`_format` and `_chart` present numbers.
Routes: the `dashboard` rows of `functions/routes.py`.
"""

from __future__ import annotations

from functions._http import http_function
from functions.dashboard.account_views import (
    log_in,
    log_out,
    login_page,
    root,
    sign_up,
    signup_page,
)
from functions.dashboard.developer_views import (
    api_keys_page,
    create_api_key,
    replay_event,
    revoke_api_key,
    webhooks_page,
)
from functions.dashboard.home_views import (
    connect_express,
    connect_onboard,
    connect_refresh,
    connect_return,
    home,
)
from functions.dashboard.list_views import disputes_page, refunds_page
from functions.dashboard.payment_action_views import cancel, capture, refund
from functions.dashboard.payment_views import payment_page, payments_page
from functions.dashboard.static_views import static_file
from functions.dashboard.team_views import (
    change_role,
    invite,
    remove_member,
    resend_invitation,
    revoke_invitation,
    team_page,
)
from functions.dashboard.tenant_views import (
    accept_invitation,
    invitation_page,
    join_team,
    switch_tenant,
)
from functions.dashboard.verify_views import resend_code, verify_code, verify_link, verify_page

__all__ = [
    "accept_invitation",
    "api_keys_page",
    "cancel",
    "capture",
    "change_role",
    "connect_express",
    "connect_onboard",
    "connect_refresh",
    "connect_return",
    "create_api_key",
    "dashboard",
    "disputes_page",
    "home",
    "invitation_page",
    "invite",
    "join_team",
    "log_in",
    "log_out",
    "login_page",
    "payment_page",
    "payments_page",
    "refund",
    "refunds_page",
    "remove_member",
    "replay_event",
    "resend_code",
    "resend_invitation",
    "revoke_api_key",
    "revoke_invitation",
    "root",
    "sign_up",
    "signup_page",
    "static_file",
    "switch_tenant",
    "team_page",
    "verify_code",
    "verify_link",
    "verify_page",
    "webhooks_page",
]

dashboard = http_function("dashboard")

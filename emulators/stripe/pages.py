"""Hosted pages: Connect onboarding, the Express dashboard, and Checkout.

Plain server-rendered HTML with labelled fields that reads well at phone width.
"""

from __future__ import annotations

from html import escape

from flask import Flask, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from .emulator import Emulator
from .errors import StripeApiError
from .resources.accounts import complete_onboarding
from .resources.checkout import find_session, pay_session
from .resources.payment_methods import BANK_ACCOUNTS, CARDS
from .store import Obj

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.4rem}.card{background:#fff;border-radius:8px;padding:1rem;
box-shadow:0 1px 3px rgba(0,0,0,.1);margin-bottom:1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,select{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;
border:1px solid #c1c9d2;border-radius:6px}
button{width:100%;margin-top:1rem;padding:.75rem;font-size:1rem;border:0;border-radius:6px;
background:#635bff;color:#fff;cursor:pointer}
.error{color:#c0123c;font-weight:600}.muted{color:#697386;font-size:.9rem}
table{width:100%;border-collapse:collapse}td{padding:.3rem 0}td.amount{text-align:right}
fieldset{border:0;padding:0;margin:0}
"""


def page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><main><p class="muted">Stripe emulator (test mode)</p>{body}</main></body></html>'
    )
    return Response(html, status=status, mimetype="text/html")


def money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def register(app: Flask, emu: Emulator) -> None:
    """Add the hosted pages' routes to the app."""

    @app.route("/connect/onboarding/<token>", methods=["GET", "POST"])
    def onboarding(token: str) -> BaseResponse:
        with emu.store.lock:
            link = emu.store.find(token, None, "_account_link")
            if link is None:
                return page("Link expired", "<h1>This onboarding link is invalid</h1>", 404)
            if request.method == "POST":
                complete_onboarding(emu, link["account"])
                if link["return_url"]:
                    return redirect(link["return_url"], code=303)
                return page("Onboarding complete", "<h1>Onboarding complete</h1>")
            return page("Set up payouts", _onboarding_form(token, link["account"]))

    @app.route("/express/<account_id>")
    def express_dashboard(account_id: str) -> Response:
        with emu.store.lock:
            account = emu.store.find(account_id, None, "account")
            if account is None:
                return page("Not found", "<h1>No such account</h1>", 404)
            return page("Express dashboard", _dashboard(account))

    @app.route("/checkout/pay/<session_id>", methods=["GET", "POST"])
    def checkout_page(session_id: str) -> BaseResponse:
        with emu.store.lock:
            try:
                session, owner = find_session(emu, session_id)
            except StripeApiError:
                return page("Not found", "<h1>This checkout session does not exist</h1>", 404)
            if session["status"] != "open":
                return page("Checkout", f"<h1>This checkout session is {session['status']}</h1>")
            if request.method == "GET":
                return page("Checkout", _checkout_form(session, ""))
            return _pay(emu, session, owner)


def _pay(emu: Emulator, session: Obj, owner: str | None) -> BaseResponse:
    form = request.form
    if form.get("method") == "us_bank_account":
        method = BANK_ACCOUNTS.get(form.get("bank_account", ""))
    else:
        method = CARDS.get("".join(form.get("card_number", "").split()))
    if method is None:
        return page(
            "Checkout",
            _checkout_form(session, "Use one of Stripe's test cards or test bank accounts."),
            400,
        )
    try:
        declined = pay_session(emu, session, owner, method, form.get("email") or None)
    except StripeApiError as error:
        return page("Checkout", _checkout_form(session, error.message), 400)
    if declined:
        return page("Checkout", _checkout_form(session, declined), 402)
    success_url = (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session["id"])
    if success_url:
        return redirect(success_url, code=303)
    return page("Paid", "<h1>Payment complete</h1>")


def _onboarding_form(token: str, account_id: str) -> str:
    return (
        '<h1>Set up payouts</h1><div class="card">'
        f"<p>Account <code>{escape(account_id)}</code></p>"
        '<p class="muted">Test mode: identity and bank details are filled in for you.</p>'
        f'<form method="post" action="/connect/onboarding/{escape(token)}">'
        '<label for="business_name">Business name</label>'
        '<input id="business_name" name="business_name" value="Test business">'
        '<button type="submit">Complete onboarding</button></form></div>'
    )


def _dashboard(account: Obj) -> str:
    rows = "".join(
        f'<tr><td>{label}</td><td class="amount">{"yes" if account[key] else "no"}</td></tr>'
        for label, key in (
            ("Charges enabled", "charges_enabled"),
            ("Payouts enabled", "payouts_enabled"),
            ("Details submitted", "details_submitted"),
        )
    )
    return (
        f'<h1>Express dashboard</h1><div class="card"><p><code>{escape(account["id"])}'
        f"</code></p><table>{rows}</table></div>"
    )


def _checkout_form(session: Obj, error: str) -> str:
    items = "".join(
        f"<tr><td>{escape(str(item['description'] or 'Item'))} &times; {item['quantity']}</td>"
        f'<td class="amount">{money(item["amount_total"], item["currency"])}</td></tr>'
        for item in session["_line_items"]
    )
    total = money(session["amount_total"], session["currency"])
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    cancel = (
        f'<p><a href="{escape(session["cancel_url"])}">Cancel and go back</a></p>'
        if session["cancel_url"]
        else ""
    )
    return (
        f'<h1>Pay {total}</h1><div class="card"><table>{items}</table></div>{error_html}'
        f'<form class="card" method="post" action="/checkout/pay/{escape(session["id"])}">'
        '<label for="email">Email</label>'
        f'<input id="email" name="email" type="email" '
        f'value="{escape(session["customer_email"] or "")}">'
        f"{_method_fields(session['payment_method_types'])}"
        f'<button type="submit">Pay {total}</button></form>{cancel}'
    )


def _method_fields(method_types: list[str]) -> str:
    fields = "<fieldset><legend>Payment method</legend>"
    if "card" in method_types:
        fields += (
            '<label><input type="radio" name="method" value="card" checked> Card</label>'
            '<label for="card_number">Card number</label>'
            '<input id="card_number" name="card_number" inputmode="numeric" '
            'autocomplete="cc-number" placeholder="4242 4242 4242 4242">'
            '<p class="muted">4242… succeeds, 4000 0000 0000 0002 declines, '
            "4000 0000 0000 0259 is disputed, 4000 0000 0000 5126 succeeds but its "
            "refunds fail.</p>"
        )
    if "us_bank_account" in method_types:
        checked = "" if "card" in method_types else " checked"
        options = "".join(
            f'<option value="{number}">{escape(_bank_label(number))}</option>'
            for number in BANK_ACCOUNTS
        )
        fields += (
            f'<label><input type="radio" name="method" value="us_bank_account"{checked}>'
            ' US bank account (ACH)</label><label for="bank_account">Test bank account</label>'
            f'<select id="bank_account" name="bank_account">{options}</select>'
        )
    return fields + "</fieldset>"


def _bank_label(number: str) -> str:
    outcome = "succeeds" if BANK_ACCOUNTS[number].outcome == "bank_succeed" else "fails"
    return f"Account {number} ({outcome} after processing)"

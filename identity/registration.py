"""Signing up and verifying the email address (by link or by 6-digit code).

A verification stores only hashes of its link token and code, expires after 24 hours, allows
`MAX_ATTEMPTS` wrong tries, and can be re-sent (the re-send replaces it). An address gets at
most one of these emails a minute (`rate_limits.MAIL_PER_ADDRESS`). The email is sent after the
account is written, never inside a transaction; a failed send is reported in the answer (and
can be retried at once with a re-send), never dropped.

Nothing here tells a stranger whether an address has an account: a sign-up with a taken
address answers exactly as a new one (and mails the address's owner instead of creating
anything), and a re-send answers alike for every address, its cool-down included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from auth.passwords import check_strength, hash_password
from auth.secrets import keyed_hash, new_code, new_token, random_id, same, sha256
from core.errors import Conflict, MailSendFailed, RateLimited, ValidationError
from identity import rate_limits
from identity.commands import ResendVerification, Signup, VerifyCode, VerifyEmailLink
from identity.context import AuthContext
from identity.directory import find_user_by_email
from identity.emails import account_exists_email, verification_email
from identity.logs import log_email_verified, log_mail_failed, log_signed_up
from identity.records import (
    CheckOutcome,
    UserRecord,
    VerificationRecord,
    email_guard_key,
    email_key,
    membership_doc,
    membership_key,
    record_from,
    stored,
    tenant_key,
    user_key,
    verification_key,
)
from ledger.store import AbstractStore, Doc, DocKey, WriteSet

__all__ = [
    "SignupResult",
    "account_writes",
    "create_account",
    "resend_verification",
    "send_verification",
    "signup",
    "verify_email_code",
    "verify_email_token",
]

VERIFICATION_TTL = timedelta(hours=24)
MAX_ATTEMPTS = 5
RETRY_AFTER_EXHAUSTED = 60  # seconds: long enough to read the new code's email


@dataclass(frozen=True)
class SignupResult:
    """What a sign-up may tell its caller: the same for a new and a taken address."""

    email: str
    email_sent: bool  # the verification email (or, for a taken address, its owner's note)


def signup(ctx: AuthContext, command: Signup, *, client: str) -> SignupResult:
    """Create the user, their tenant and owner membership and send the verification email;
    for an address that has an account, mail its owner instead and change nothing. Both do
    the same work up to the write (the password is hashed either way) and answer alike."""
    rate_limits.count(ctx.store, rate_limits.SIGNUPS_PER_CLIENT, client, now=ctx.now())
    check_strength(command.password)
    user = UserRecord(
        user_id=random_id("usr"),
        email=command.email,
        password_hash=hash_password(command.password),
        email_verified=False,
        created_at=ctx.now(),
    )
    tenant_id = random_id("ten")
    try:
        create_account(
            ctx.store, user=user, tenant_id=tenant_id, business_name=command.business_name
        )
    except Conflict:
        return SignupResult(user.email, _tell_the_owner(ctx, user.email))
    log_signed_up(user_id=user.user_id, tenant_id=tenant_id)
    claimed = _claim_mail(ctx, user.email)  # a new account's code goes out in any case
    try:
        send_verification(ctx, user_id=user.user_id, email=user.email)
    except MailSendFailed:
        log_mail_failed(purpose="verification", user_id=user.user_id)
        if claimed:
            _release_mail(ctx, user.email)
        return SignupResult(user.email, email_sent=False)
    return SignupResult(user.email, email_sent=True)


def _tell_the_owner(ctx: AuthContext, email: str) -> bool:
    """Mail the owner of a taken address that someone signed up with it (at most once a
    minute: a second sign-up within it is answered as sent)."""
    if not _claim_mail(ctx, email):
        return True
    login_link = f"{ctx.app_base_url}/dashboard/login"
    try:
        ctx.mailer.send(account_exists_email(to=email, login_link=login_link))
    except MailSendFailed:
        log_mail_failed(purpose="account_exists", user_id=None)
        _release_mail(ctx, email)
        return False
    return True


def _claim_mail(ctx: AuthContext, email: str) -> bool:
    """Take the address's one email of this minute; False if it is already taken."""
    try:
        rate_limits.count(ctx.store, rate_limits.MAIL_PER_ADDRESS, email_key(email), now=ctx.now())
    except RateLimited:
        return False
    return True


def _release_mail(ctx: AuthContext, email: str) -> None:
    """Nothing was sent after all: the address may have its email at once."""
    rate_limits.give_back(ctx.store, rate_limits.MAIL_PER_ADDRESS, email_key(email), now=ctx.now())


def create_account(
    store: AbstractStore, *, user: UserRecord, tenant_id: str | None, business_name: str | None
) -> None:
    """Write the user (and, with a tenant, the tenant and its owner membership) at once;
    `Conflict` when the email address is taken. No lock: the writes commit only if the
    address's guard is still missing, so of two signups with one address exactly one wins."""
    guard = email_guard_key(user.email)
    created = store.commit_if_unchanged(
        [guard],
        lambda docs: account_writes(
            docs[guard], guard, user, tenant_id=tenant_id, business_name=business_name
        ),
    )
    if not created:
        raise Conflict("An account with this email address already exists", code="email_taken")


def account_writes(
    taken: Doc | None,
    guard: DocKey,
    user: UserRecord,
    *,
    tenant_id: str | None,
    business_name: str | None = None,
) -> tuple[WriteSet, bool]:
    """The writes of a new account (and, with `tenant_id`, its tenant and owner membership),
    and True; nothing and False when the address's guard (`taken`) exists."""
    writes = WriteSet()
    if taken is not None:
        return writes, False
    writes.set(guard, {"user_id": user.user_id, "created_at": user.created_at})
    writes.set(user_key(user.user_id), stored(user))
    if tenant_id is not None:
        tenant = {
            "tenant_id": tenant_id,
            "name": business_name,
            "owner_user_id": user.user_id,
            "platform_fee_bps": 0,
            "created_at": user.created_at,
        }
        writes.set(tenant_key(tenant_id), tenant)
        owner = membership_doc(tenant_id, user.user_id, "owner", now=user.created_at)
        writes.set(membership_key(tenant_id, user.user_id), owner)
    return writes, True


def send_verification(ctx: AuthContext, *, user_id: str, email: str) -> None:
    """Store a fresh link token and code (hashed) and email them; `MailSendFailed` if not sent."""
    token, code, now = new_token(), new_code(), ctx.now()
    record = VerificationRecord(
        user_id=user_id,
        email=email,
        token_hash=sha256(token),
        code_hash=keyed_hash(f"{user_id}:{code}", key=ctx.signing_key),
        sent_at=now,
        expires_at=now + VERIFICATION_TTL,
    )
    ctx.store.set(verification_key(user_id), stored(record))
    link = f"{ctx.app_base_url}/verify-email?token={user_id}.{token}"
    hours = int(VERIFICATION_TTL.total_seconds() // 3600)
    ctx.mailer.send(verification_email(to=email, link=link, code=code, hours=hours))


def verify_email_token(ctx: AuthContext, command: VerifyEmailLink, *, client: str) -> None:
    """Apply the link token (`USER_ID.SECRET`) of the verification email."""
    rate_limits.check(ctx.store, rate_limits.VERIFY_FAILURES, client, now=ctx.now())
    user_id, _, secret = command.token.partition(".")
    if not user_id or not secret:
        _fail(ctx, CheckOutcome.MISSING, client)
    digest = sha256(secret)
    outcome = _check(
        ctx.store,
        user_id,
        lambda record: same(record.token_hash, digest),
        max_attempts=MAX_ATTEMPTS,
        now=ctx.now(),
    )
    if outcome is not CheckOutcome.VERIFIED:
        _fail(ctx, outcome, client)
    log_email_verified(user_id=user_id, method="link")


def verify_email_code(ctx: AuthContext, command: VerifyCode, *, client: str) -> None:
    """Apply the 6-digit code sent to `command.email`."""
    bucket = f"{client}:{email_key(command.email)}"
    rate_limits.check(ctx.store, rate_limits.VERIFY_FAILURES, bucket, now=ctx.now())
    user = find_user_by_email(ctx.store, command.email)
    if user is None:
        _fail(ctx, CheckOutcome.MISSING, bucket)
    digest = keyed_hash(f"{user.user_id}:{command.code}", key=ctx.signing_key)
    outcome = _check(
        ctx.store,
        user.user_id,
        lambda record: same(record.code_hash, digest),
        max_attempts=MAX_ATTEMPTS,
        now=ctx.now(),
    )
    if outcome is not CheckOutcome.VERIFIED:
        _fail(ctx, outcome, bucket)
    log_email_verified(user_id=user.user_id, method="code")


def _check(
    store: AbstractStore,
    user_id: str,
    matches: Callable[[VerificationRecord], bool],
    *,
    max_attempts: int,
    now: datetime,
) -> CheckOutcome:
    """Count one attempt against the user's pending verification and apply it if it matches
    (one transaction: a link or code works once)."""
    pending, user = verification_key(user_id), user_key(user_id)

    def attempt(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, CheckOutcome]:
        writes = WriteSet()
        if docs[pending] is None:
            return writes, CheckOutcome.MISSING
        record = record_from(VerificationRecord, docs[pending])
        if record.expires_at <= now:
            return writes, CheckOutcome.EXPIRED
        if record.attempts >= max_attempts:
            return writes, CheckOutcome.EXHAUSTED
        if not matches(record):
            writes.update(pending, {"attempts": record.attempts + 1})
            return writes, CheckOutcome.WRONG
        writes.update(user, {"email_verified": True, "email_verified_at": now})
        writes.delete(pending)
        return writes, CheckOutcome.VERIFIED

    return store.transact([pending], attempt)


def _fail(ctx: AuthContext, outcome: CheckOutcome, bucket: str) -> NoReturn:
    rate_limits.count(ctx.store, rate_limits.VERIFY_FAILURES, bucket, now=ctx.now())
    if outcome is CheckOutcome.EXPIRED:
        raise ValidationError(
            "The verification has expired; ask for a new one", code="verification_expired"
        )
    if outcome is CheckOutcome.EXHAUSTED:
        raise RateLimited(
            "Too many wrong attempts; ask for a new code",
            retry_after=RETRY_AFTER_EXHAUSTED,
            code="too_many_attempts",
        )
    raise ValidationError("The verification link or code is not valid", code="invalid_verification")


def resend_verification(ctx: AuthContext, command: ResendVerification) -> None:
    """Send a new link and code to an unverified account's address. Every address, known or
    not, is counted against its one email a minute (429 `resend_cooldown`), and unknown or
    verified ones are answered the same, silently: this does not tell who has an account."""
    key = email_key(command.email)
    rate_limits.count(ctx.store, rate_limits.MAIL_PER_ADDRESS, key, now=ctx.now())
    user = find_user_by_email(ctx.store, command.email)
    if user is None or user.email_verified:
        return
    try:
        send_verification(ctx, user_id=user.user_id, email=user.email)
    except MailSendFailed:
        log_mail_failed(purpose="verification", user_id=user.user_id)
        _release_mail(ctx, command.email)
        raise

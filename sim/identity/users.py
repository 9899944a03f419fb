"""The identity provider's accounts: email + an argon2id password hash, and a few seeded users.

Passwords exist here only as argon2id hashes (argon2-cffi), and are never logged. The hash
parameters are OWASP's minimum for argon2id (19 MiB, 2 passes), not the library's heavier
default: the sim starts once per test, and every sign-in pays for one hash.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Annotated

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

Roles = Annotated[tuple[str, ...], msgspec.Meta(max_length=16)]


class Account(msgspec.Struct, frozen=True):
    """One user of the identity provider; `id` is the stable `sub` of their tokens."""

    id: str
    email: str
    given_name: str
    family_name: str
    password_hash: str = msgspec.field(default="")
    email_verified: bool = False
    roles: Roles = ()

    def __repr__(self) -> str:  # never a password hash in a log line or a traceback
        return f"Account(id={self.id!r}, email={self.email!r})"


class SeedUser(msgspec.Struct, frozen=True):
    email: str
    password: str
    given_name: str
    family_name: str
    roles: tuple[str, ...] = ()


# Test users of every sim (README "Signing in"): their passwords are public on purpose.
SEED_USERS: tuple[SeedUser, ...] = (
    SeedUser("ada@example.com", "lovelace-1815", "Ada", "Lovelace"),
    SeedUser("alan@example.com", "turing-1912", "Alan", "Turing"),
    SeedUser("katherine@example.com", "johnson-1918", "Katherine", "Johnson"),
    SeedUser("grace@example.com", "hopper-1906", "Grace", "Hopper", roles=("support",)),
)


class SignUpRejected(Exception):
    """A sign-up the provider refuses; `errors` maps each bad form field to a sentence."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > MAX_EMAIL_LENGTH:
        return "enter an email address such as ada@example.com"
    if any(ch.isspace() for ch in email) or "@" in domain:
        return "enter an email address such as ada@example.com"
    return None


def user_id(seed: int, email: str) -> str:
    """The same user id for the same email on every sim of the same seed (restarts included)."""
    digest = hashlib.sha256(f"skyfare-sim:{seed}:user:{email}".encode()).hexdigest()
    return f"usr_{digest[:24]}"


@functools.cache
def _seed_hashes() -> dict[str, str]:
    # Hashed once per process, not once per sim: tests start many sims.
    return {user.email: _hasher.hash(user.password) for user in SEED_USERS}


@functools.cache
def _decoy_hash() -> str:
    return _hasher.hash("not anyone's password")


class Accounts:
    """Accounts by email; `authenticate` costs one argon2 hash whether or not the email exists,
    so an answer's timing does not tell which emails have accounts."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._by_email: dict[str, Account] = {}
        self._by_id: dict[str, Account] = {}
        hashes = _seed_hashes()
        for user in SEED_USERS:
            self._add(
                Account(
                    id=user_id(seed, user.email),
                    email=user.email,
                    given_name=user.given_name,
                    family_name=user.family_name,
                    password_hash=hashes[user.email],
                    email_verified=True,
                    roles=user.roles,
                )
            )

    def _add(self, account: Account) -> None:
        self._by_email[account.email] = account
        self._by_id[account.id] = account

    def authenticate(self, email: str, password: str) -> Account | None:
        account = self._by_email.get(normalize_email(email))
        try:
            _hasher.verify(account.password_hash if account else _decoy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def sign_up(self, email: str, password: str, given_name: str, family_name: str) -> Account:
        """A new account (its email not yet verified); SignUpRejected naming each bad field."""
        email = normalize_email(email)
        errors = _sign_up_errors(email, password, given_name.strip(), family_name.strip())
        if not errors and email in self._by_email:
            errors["email"] = "an account with this email exists: sign in instead"
        if errors:
            raise SignUpRejected(errors)
        account = Account(
            id=user_id(self._seed, email),
            email=email,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            password_hash=_hasher.hash(password),
        )
        self._add(account)
        return account

    def by_id(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)

    def count(self) -> int:
        return len(self._by_email)


def _sign_up_errors(email: str, password: str, given: str, family: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := email_problem(email):
        errors["email"] = problem
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        errors["password"] = f"use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
    for field, value in (("given_name", given), ("family_name", family)):
        if not 1 <= len(value) <= MAX_NAME_LENGTH:
            errors[field] = f"enter 1 to {MAX_NAME_LENGTH} characters"
    return errors

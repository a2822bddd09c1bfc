"""Password hashes: argon2id through ``argon2-cffi``, never a password in clear."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yonca.errors import InvalidInputError

MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"the password has {len(password)} characters; use at least "
            f"{MIN_PASSWORD_LENGTH}"
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def verify_against_nothing(password: str) -> None:
    """Spend the time a verification takes, for an account that does not exist.

    Answering "no such user" faster than "wrong password" would tell a
    stranger which e-mail addresses have accounts.
    """
    verify_password(_placeholder_hash(), password)


@lru_cache(maxsize=1)
def _placeholder_hash() -> str:
    return _hasher.hash("placeholder password nobody has")

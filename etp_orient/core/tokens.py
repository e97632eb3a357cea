"""Random tokens and short codes.

Manage links and feed tokens carry 256 bits of randomness and only their
SHA-256 hash is stored, so a database leak does not open anyone's page.
Short codes (referrals, generated slot/cohort codes) use an alphabet without
look-alike characters so that they can be read aloud or typed from paper.
"""

import hashlib
import hmac
import secrets

SHORT_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(token: str, token_hash: str) -> bool:
    """Compare a token to a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), token_hash)


def short_code(length: int = 8) -> str:
    """A short unguessable code (8 characters ≈ 40 bits)."""
    return "".join(secrets.choice(SHORT_ALPHABET) for _ in range(length))


def generated_code(prefix: str, length: int = 8) -> str:
    """A code for a row created in the back office, e.g. ``slot-k3m9x2pq``."""
    return f"{prefix}-{short_code(length)}"

"""Password hashing (argon2id) and the rules a new password must follow.

argon2-cffi's defaults are RFC 9106's "low memory" profile (argon2id, t=3,
m=64 MiB, p=4), above OWASP's minimum. A hash made with older parameters is
upgraded at the next successful login (:func:`needs_rehash`).
"""

import gzip
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()

# A few French ones the English-speaking list lacks.
_FRENCH_COMMON = {
    "motdepasse",
    "azertyuiop",
    "azerty",
    "soleil",
    "bonjour",
    "doudou",
    "chouchou",
    "loulou",
    "marseille",
    "jetaime",
    "coucou",
    "nicolas",
    "camille",
    "vacances",
    "santeetp",
}


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salt and parameters inside)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; False for a wrong password or a broken hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A valid hash of a random password: verifying against it when the account does
# not exist takes as long as a real check, so timing does not reveal accounts.
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return _hasher.hash("no account has this password, ever")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 20,000 most common passwords (Django's list, by Royce Williams) plus a few French."""
    data = resources.files(__package__).joinpath("data/common-passwords.txt.gz").read_bytes()
    words = gzip.decompress(data).decode("utf-8").split()
    return frozenset(w.strip().lower() for w in words) | _FRENCH_COMMON


def _core(password: str) -> str:
    """The password without the digits and symbols people add at its ends."""
    return password.lower().strip("0123456789!?.,;:-_*#@$%&+= ")


def password_problem(password: str, *, email: str | None = None):
    """Why ``password`` is refused (a message for the field), or None if it is good."""
    if len(password) < MIN_LENGTH:
        return _l("Le mot de passe doit faire au moins %(n)s caractères.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Le mot de passe doit faire au plus %(n)s caractères.", n=MAX_LENGTH)
    lowered = password.lower()
    common = common_passwords()
    core = _core(password)
    if lowered in common or core in common or len(core) < 4 or len(set(lowered)) <= 3:
        return _l("Ce mot de passe est trop courant. Choisissez-en un autre.")
    if email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in lowered:
            return _l("Le mot de passe ne doit pas contenir votre adresse e-mail.")
    return None

"""Password hashing and the rules a new password must follow."""

import pytest

from etp_orient.accounts import passwords


def test_hash_is_argon2id_and_verifies():
    digest = passwords.hash_password("une phrase assez longue")
    assert digest.startswith("$argon2id$")
    assert passwords.verify_password(digest, "une phrase assez longue")
    assert not passwords.verify_password(digest, "une autre phrase longue")


def test_broken_hash_never_verifies():
    assert not passwords.verify_password("not-a-hash", "whatever it is")


@pytest.mark.parametrize(
    "candidate",
    [
        "court",  # too short
        "onze-chars!",  # 11 characters
        "password1234",  # common, padded
        "qwertyuiop123",  # common, padded
        "azertyuiop!!",  # common in French
        "aaaaaaaaaaaaaaaa",  # one character repeated
        "123456789012",  # common
    ],
)
def test_weak_passwords_are_refused(app_ctx, candidate):
    assert passwords.password_problem(candidate) is not None


def test_password_containing_the_address_is_refused(app_ctx):
    problem = passwords.password_problem("dupont.marie-2026", email="dupont.marie@example.org")
    assert problem is not None


@pytest.mark.parametrize("candidate", ["cheval bleu sous la pluie", "Tr0mbone&Girafe"])
def test_good_passwords_pass(app_ctx, candidate):
    assert passwords.password_problem(candidate) is None


def test_the_common_list_is_shipped_and_large():
    assert len(passwords.common_passwords()) > 10000

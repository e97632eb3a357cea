"""``etp-orient create-user EMAIL --role ROLE [--structure CODE]…``."""

from sqlalchemy import select

from etp_orient.accounts.models import User
from etp_orient.catalogue.models import Structure
from etp_orient.extensions import db


def _structure(app, code="cpts-x"):
    with app.app_context():
        db.session.add(Structure(code=code, name="CPTS X", kind="cpts"))
        db.session.commit()


def test_create_user_from_environment_password(app, runner, clock):
    _structure(app)
    result = runner.invoke(
        args=["create-user", "Coord@Example.org", "--role", "coordinator", "--structure", "cpts-x"],
        env={"ETP_PASSWORD": "un mot de passe long"},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "coord@example.org"
        assert user.password_hash.startswith("$argon2id$")
        assert [(m.role, m.structure.code) for m in user.memberships] == [("coordinator", "cpts-x")]


def test_create_user_asks_for_the_password(app, runner, clock):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin"],
        input="un mot de passe long\nun mot de passe long\n",
        env={"ETP_PASSWORD": ""},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User)).is_admin


def test_create_user_refuses_a_weak_password(app, runner, clock):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin"],
        env={"ETP_PASSWORD": "password"},
    )
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_create_user_refuses_an_unknown_structure(app, runner, clock):
    result = runner.invoke(
        args=["create-user", "c@example.org", "--role", "educator", "--structure", "nope"],
        env={"ETP_PASSWORD": "un mot de passe long"},
    )
    assert result.exit_code != 0
    assert "nope" in result.output


def test_demo_style_call_is_supported(app_ctx, clock):
    from etp_orient.accounts.services import create_user

    db.session.add(Structure(code="ces-lille", name="CES", kind="ces"))
    user = create_user(
        email="educ@example.org",
        password="demo-etp-orient",
        role="educator",
        structures=["ces-lille"],
        actor=None,
    )
    assert [m.role for m in user.memberships] == ["educator"]
    db.session.rollback()

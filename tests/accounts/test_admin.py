"""The platform admin's pages: structures and staff accounts."""

import pytest
from sqlalchemy import select

from etp_orient.accounts.models import Membership, User
from etp_orient.catalogue.models import Structure
from etp_orient.extensions import db
from tests.fixtures.manage import login, make_user


def _admin(app, client):
    with app.app_context():
        make_user("boss@example.org", is_admin=True)
        db.session.add(Structure(code="cpts-y", name="CPTS Y", kind="cpts"))
        db.session.commit()
    login(client, "boss@example.org")


def test_admin_creates_a_structure(app, client, clock):
    _admin(app, client)
    response = client.post(
        "/gestion/admin/structures/nouvelle",
        data={"code": "msp-z", "name": "MSP Z", "kind": "msp"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Structure).where(Structure.code == "msp-z")).kind == "msp"


def test_admin_creates_an_account_with_a_role(app, client, clock):
    _admin(app, client)
    response = client.post(
        "/gestion/admin/comptes/nouveau",
        data={
            "email": "new@example.org",
            "password": "une phrase assez longue",
            "role": "coordinator",
            "structure": "cpts-y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert [(m.role, m.structure.code) for m in user.memberships] == [("coordinator", "cpts-y")]


def test_weak_password_is_refused_and_what_was_typed_is_kept(app, client, clock):
    _admin(app, client)
    response = client.post(
        "/gestion/admin/comptes/nouveau",
        data={"email": "new@example.org", "password": "short", "role": "educator"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "12 caractères" in page and 'value="new@example.org"' in page


def test_admin_adds_and_removes_a_role_and_suspends(app, client, clock):
    _admin(app, client)
    with app.app_context():
        user_id = make_user("someone@example.org").id
        db.session.commit()
    client.post(
        f"/gestion/admin/comptes/{user_id}/roles", data={"role": "educator", "structure": "cpts-y"}
    )
    with app.app_context():
        membership = db.session.scalar(select(Membership))
        assert membership.role == "educator"
        membership_id = membership.id
    client.post(f"/gestion/admin/comptes/{user_id}/roles/{membership_id}/retirer")
    client.post(f"/gestion/admin/comptes/{user_id}/actif")
    with app.app_context():
        assert db.session.scalar(select(Membership)) is None
        assert db.session.get(User, user_id).active is False


def test_non_admin_does_not_see_admin_pages(app, client, clock):
    with app.app_context():
        make_user("coord@example.org")
        db.session.commit()
    login(client, "coord@example.org")
    assert client.get("/gestion/admin/").status_code == 404


def test_an_address_already_used_is_refused_in_the_readers_language(app, client, clock):
    _admin(app, client)
    data = {
        "email": "boss@example.org",
        "password": "une phrase assez longue",
        "role": "coordinator",
        "structure": "cpts-y",
    }
    page = client.post("/gestion/admin/comptes/nouveau", data=data).get_data(as_text=True)
    assert "Un compte existe déjà avec cette adresse." in page
    page = client.post("/gestion/admin/comptes/nouveau?lang=en", data=data).get_data(as_text=True)
    assert "An account already exists with this address." in page
    assert 'value="boss@example.org"' in page


@pytest.mark.parametrize(
    ("code", "email"),
    [("cpts_ouest", ""), ("-cpts", ""), ("cpts.ouest", ""), ("Cpts Ouest", ""), ("ok-code", "a@b")],
)
def test_the_structure_form_refuses_what_the_offer_schema_refuses(app, client, clock, code, email):
    _admin(app, client)
    data = {"code": code, "name": "MSP Z", "kind": "msp", "email": email}
    response = client.post("/gestion/admin/structures/nouvelle", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "invalide" in page
    with app.app_context():
        assert db.session.scalar(select(Structure).where(Structure.name == "MSP Z")) is None


def test_a_structure_the_form_accepts_exports_and_imports_back(app, client, clock):
    from etp_orient.catalogue.offer import export_offer, import_offer, validate_offer

    _admin(app, client)
    data = {"code": " MSP-Zé2 ".replace("é", "e"), "name": "MSP Z", "kind": "msp"}
    response = client.post("/gestion/admin/structures/nouvelle", data=data)
    assert response.status_code == 302
    with app.app_context():
        offer = export_offer()
        assert validate_offer(offer) == []
        import_offer(offer)
        db.session.commit()
        assert (
            db.session.scalar(select(Structure).where(Structure.code == "msp-ze2")).name == "MSP Z"
        )


def _account(app, email="pro@example.org", rpps=None):
    with app.app_context():
        user = make_user(email)
        user.rpps = rpps
        db.session.commit()
        return user.id


def test_admin_sets_and_removes_an_rpps_number(app, client, clock):
    _admin(app, client)
    user_id = _account(app)
    page = client.get(f"/gestion/admin/comptes/{user_id}").get_data(as_text=True)
    assert 'name="rpps"' in page
    response = client.post(f"/gestion/admin/comptes/{user_id}/rpps", data={"rpps": "100 0123 4567"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).rpps == "10001234567"
    assert 'value="10001234567"' in client.get(f"/gestion/admin/comptes/{user_id}").get_data(
        as_text=True
    )
    client.post(f"/gestion/admin/comptes/{user_id}/rpps", data={"rpps": ""})
    with app.app_context():
        assert db.session.get(User, user_id).rpps is None


@pytest.mark.parametrize("typed", ["1234", "1000123456X", "100012345678"])
def test_a_malformed_rpps_is_refused_next_to_the_field(app, client, clock, typed):
    _admin(app, client)
    user_id = _account(app)
    response = client.post(f"/gestion/admin/comptes/{user_id}/rpps", data={"rpps": typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "11 chiffres, sans lettre" in page and f'value="{typed}"' in page
    with app.app_context():
        assert db.session.get(User, user_id).rpps is None


def test_an_rpps_number_belongs_to_one_account(app, client, clock):
    _admin(app, client)
    _account(app, "first@example.org", rpps="10001234567")
    user_id = _account(app)
    response = client.post(f"/gestion/admin/comptes/{user_id}/rpps", data={"rpps": "10001234567"})
    assert response.status_code == 200
    assert "Un autre compte a déjà ce numéro RPPS" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).rpps is None


def test_only_platform_admins_set_an_rpps_number(app, client, clock):
    user_id = _account(app)
    with app.app_context():
        make_user("coord@example.org")
        db.session.commit()
    login(client, "coord@example.org")
    response = client.post(f"/gestion/admin/comptes/{user_id}/rpps", data={"rpps": "10001234567"})
    assert response.status_code in (403, 404)
    with app.app_context():
        assert db.session.get(User, user_id).rpps is None

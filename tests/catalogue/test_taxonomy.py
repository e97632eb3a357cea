"""The condition taxonomy is data, loaded into the database with every code and parent."""

import json

import pytest
from sqlalchemy import func, select

from etp_orient.catalogue.models import Condition
from etp_orient.catalogue.taxonomy import (
    DATA_FILE,
    children,
    condition_codes,
    expand,
    load_taxonomy,
    sync_conditions,
)
from etp_orient.extensions import db

CONTRACT_CODES = {
    "diabete-type-2",
    "diabete-type-1",
    "diabete-gestationnel",
    "prediabete",
    "bpco",
    "asthme",
    "risque-cardiovasculaire",
    "hypertension",
    "insuffisance-cardiaque",
    "obesite-adulte",
    "surpoids-enfant",
    "chirurgie-bariatrique",
    "insuffisance-renale-chronique",
    "covid-long",
    "anticancereux-oraux",
    "anticoagulants",
    "douleur-chronique",
    "polyarthrite",
    "vih",
    "tabac",
}


def test_data_file_has_every_contract_code():
    codes = set(condition_codes())
    assert codes >= CONTRACT_CODES
    assert {"diabete", "respiratoire", "cardio"} <= codes


@pytest.mark.parametrize(
    ("group", "members"),
    [
        ("diabete", {"diabete-type-2", "diabete-type-1", "diabete-gestationnel", "prediabete"}),
        ("respiratoire", {"bpco", "asthme"}),
        ("cardio", {"risque-cardiovasculaire", "hypertension", "insuffisance-cardiaque"}),
    ],
)
def test_groups_hold_their_members(group, members):
    assert members <= set(children(group))


def test_expand_adds_children_of_a_group():
    assert expand(["respiratoire", "tabac"]) == ["respiratoire", "bpco", "asthme", "tabac"]


def test_every_node_is_complete_and_translated():
    for node in load_taxonomy():
        assert node["label"] and node["plain_label"], node["code"]
        assert node["pictogram"], node["code"]
        for lang in ("en", "ar"):
            assert node["translations"][lang]["label"], (node["code"], lang)
            assert node["translations"][lang]["plain_label"], (node["code"], lang)
        if not node["is_group"] or node["code"] in ("diabete", "respiratoire", "cardio"):
            assert len(node["synonyms"]) >= 3, node["code"]


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("sucre", "diabete"),
        ("glycémie", "diabete"),
        ("souffle", "respiratoire"),
        ("essoufflé", "respiratoire"),
        ("bronches", "respiratoire"),
        ("tension", "hypertension"),
        ("cœur", "cardio"),
        ("poids", "poids"),
        ("kilos", "poids"),
        ("reins", "insuffisance-renale-chronique"),
        ("dialyse", "insuffisance-renale-chronique"),
        ("cigarette", "tabac"),
    ],
)
def test_everyday_words_are_synonyms(word, code):
    node = next(n for n in load_taxonomy() if n["code"] == code)
    assert word in node["synonyms"]


def test_pictograms_are_shipped(app):
    from pathlib import Path

    folder = Path(app.static_folder) / "img" / "conditions"
    for node in load_taxonomy():
        assert (folder / f"{node['pictogram']}.svg").is_file(), node["pictogram"]


def test_migration_loaded_every_condition_with_parents(app_ctx):
    rows = {c.code: c for c in db.session.scalars(select(Condition))}
    assert set(rows) >= CONTRACT_CODES
    assert rows["bpco"].parent_code == "respiratoire"
    assert rows["diabete-gestationnel"].parent_code == "diabete"
    assert rows["diabete"].is_group and not rows["bpco"].is_group
    assert "sucre" in rows["diabete"].synonyms
    assert rows["asthme"].translations["en"]["label"] == "Asthma"


def test_sync_is_idempotent(app_ctx):
    before = db.session.execute(
        select(Condition.code, Condition.label, Condition.synonyms).order_by(Condition.code)
    ).all()
    with db.engine.begin() as conn:
        first = sync_conditions(conn)
    with db.engine.begin() as conn:
        second = sync_conditions(conn)
    after = db.session.execute(
        select(Condition.code, Condition.label, Condition.synonyms).order_by(Condition.code)
    ).all()
    assert first == second == len(load_taxonomy())
    assert before == after
    assert db.session.scalar(select(func.count()).select_from(Condition)) == len(after)


def test_sync_restores_an_edited_label(app_ctx):
    with db.engine.begin() as conn:
        conn.execute(
            Condition.__table__.update().where(Condition.code == "asthme").values(label="x")
        )
    with db.engine.begin() as conn:
        sync_conditions(conn)
    db.session.expire_all()
    assert db.session.scalar(select(Condition.label).where(Condition.code == "asthme")) == "Asthme"


def test_sync_conditions_command(runner, app_ctx):
    result = runner.invoke(args=["sync-conditions"])
    assert result.exit_code == 0, result.output
    assert f"{len(load_taxonomy())} conditions" in result.output


def test_data_file_is_valid_json_with_unique_codes():
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))["conditions"]
    codes = [item["code"] for item in raw]
    assert len(codes) == len(set(codes))

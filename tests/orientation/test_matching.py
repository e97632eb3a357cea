"""Realistic orientation queries against the fixture offer (tests/fixtures/orientation_offer.py)."""

import pytest

from etp_orient.core.clock import now
from etp_orient.orientation.matching import OrientationQuery, QueryError, orient

# Each case: query parameters, then what must be true of the answer.
#   first: code of the first nearby result; near: codes that must be in the nearby results;
#   remote: codes that must be in the remote list; elsewhere: codes in "elsewhere";
#   absent: codes that must appear nowhere; nothing: nothing nearby; conditions: codes understood.
CASES = [
    # everyday words
    ("sucre-lille", dict(q="j'ai du sucre dans le sang", commune="59000"), dict(first="dt2-lille")),
    ("glycemie-lille", dict(q="ma glycémie est haute", commune="Lille"), dict(first="dt2-lille")),
    ("tension-roubaix", dict(q="j'ai de la tension", commune="59100"),
     dict(first="cardio-roubaix", conditions=["hypertension"])),
    ("coeur-lille", dict(q="problème de coeur", commune="Lille"), dict(near=["cardio-roubaix"])),
    ("souffle-lille", dict(q="je m'essouffle", commune="59000"),
     dict(near=["bpco-lille"], conditions=["bpco", "asthme"])),
    ("essouffle-no-accent", dict(q="essouffle", commune="lille"), dict(near=["bpco-lille"])),
    ("fume-remote", dict(q="je fume trop", commune="59000"),
     dict(remote=["tabac-distance"], nothing=True)),
    ("covid-remote-only", dict(q="covid long", commune="Douai"),
     dict(remote=["covid-long-distance"], nothing=True)),
    ("poids-adulte", dict(q="je voudrais perdre du poids", commune="59000"),
     dict(first="obesite-lille", absent=["surpoids-enfant-douai"])),
    ("kilos", dict(q="kilos en trop", commune="Lille", age=45), dict(first="obesite-lille")),
    # typos and no accents
    ("diabette", dict(q="diabette", commune="59000"), dict(first="dt2-lille")),
    ("bpc0", dict(q="bpc0", commune="59000"), dict(first="bpco-lille", conditions=["bpco"])),
    ("astme-child", dict(q="astme", commune="59000", age=9), dict(first="asthme-enfant-lille")),
    ("hypertention", dict(q="hypertention", commune="59100"), dict(first="cardio-roubaix")),
    ("diabete-no-accent", dict(q="diabete type 2", commune="lille"), dict(first="dt2-lille")),
    ("upper-case", dict(q="DIABÈTE DE TYPE 2", commune="LILLE"), dict(first="dt2-lille")),
    ("commune-typo-case", dict(q="diabète", commune="angouleme"), dict(first="dt2-angoumois")),
    ("bronchite-chronik", dict(q="bronchite chronik", commune="59000"),
     dict(first="bpco-lille")),
    # codes instead of text
    ("code-dt2", dict(condition=["diabete-type-2"], commune="59350"), dict(first="dt2-lille")),
    ("group-code", dict(condition=["cardio"], commune="59350"), dict(near=["cardio-roubaix"])),
    ("insee-code", dict(condition=["bpco"], commune="insee:59350"), dict(first="bpco-lille")),
    ("insee-prefix-overseas", dict(q="diabète", commune="insee:97411"), dict(first="dt2-reunion")),
    ("two-codes", dict(condition=["bpco", "hypertension"], commune="59350"),
     dict(near=["bpco-lille", "cardio-roubaix"])),
    # shared postal codes and homonyms
    ("shared-postal-code", dict(q="diabète", commune="16730"), dict(near=["dt2-angoumois"])),
    ("homonym-boulogne", dict(q="diabète", commune="Boulogne"), dict(error="commune")),
    ("homonym-name", dict(q="diabète", commune="Saint-Denis"), dict(error="commune")),
    ("one-of-shared", dict(q="diabète", commune="16187"), dict(first="dt2-angoumois")),
    ("unknown-commune", dict(q="diabète", commune="Zzzyxville"), dict(error="commune")),
    # overseas
    ("reunion-postal", dict(q="diabète", commune="97400"), dict(first="dt2-reunion")),
    ("reunion-saint-pierre", dict(q="sucre", commune="97410", radius_km=100),
     dict(first="dt2-reunion")),
    ("reunion-not-lille", dict(q="diabète", commune="97400"), dict(absent=["dt2-lille"])),
    ("martinique-nothing", dict(q="diabète", commune="97200"),
     dict(nothing=True, elsewhere_empty=True)),
    ("guyane-covid-remote", dict(q="covid", commune="97300"),
     dict(remote=["covid-long-distance"], nothing=True)),
    ("corse-nothing", dict(q="asthme", commune="2A004"), dict(nothing=True)),
    # children
    ("child-weight-words", dict(q="mon enfant a un problème de poids", commune="59500"),
     dict(first="surpoids-enfant-douai", conditions=["surpoids-enfant"], absent=["obesite-lille"])),
    ("daughter-weight", dict(q="ma fille est trop grosse", commune="Douai"),
     dict(first="surpoids-enfant-douai")),
    ("child-asthma-words", dict(q="l'asthme de mon fils", commune="59000"),
     dict(first="asthme-enfant-lille", absent=["bpco-lille"])),
    ("child-age-too-old", dict(q="surpoids enfant", commune="59500", age=15),
     dict(absent=["surpoids-enfant-douai"])),
    ("adult-asthma-not-child-programme", dict(q="asthme", commune="59000", age=35),
     dict(absent=["asthme-enfant-lille"])),
    # pregnancy
    ("pregnant-sugar", dict(q="enceinte et du sucre", commune="16000"),
     dict(first="dg-angouleme", conditions=["diabete-gestationnel"], absent=["dt2-angoumois"])),
    ("grossesse-diabete", dict(q="diabète de grossesse", commune="Angoulême"),
     dict(first="dg-angouleme")),
    ("pregnant-flag", dict(q="diabète", commune="16000", pregnant=True),
     dict(first="dg-angouleme")),
    ("not-pregnant", dict(q="diabète", commune="16000", pregnant=False),
     dict(first="dt2-angoumois", absent=["dg-angouleme"])),
    ("pregnant-excluded", dict(q="diabète", commune="59000", pregnant=True),
     dict(absent=["dt2-lille"])),
    ("pregnant-far-remote", dict(q="diabète gestationnel", commune="59000"),
     dict(remote=["dg-angouleme"], nothing=True)),
    # formats and distance
    ("format-remote", dict(q="diabète gestationnel", commune="16000", format="distanciel"),
     dict(remote=["dg-angouleme"], nothing=False)),
    ("format-presentiel-drops-remote", dict(q="covid long", commune="59000",
     format="presentiel"), dict(absent=["covid-long-distance"])),
    ("radius-small", dict(q="tension", commune="59000", radius_km=2),
     dict(nothing=True, elsewhere=["cardio-roubaix"])),
    ("catchment-douai", dict(q="prédiabète", commune="Lille", radius_km=50),
     dict(nothing=True, elsewhere=["dt2-douai"])),
    ("nothing-nearby-lens", dict(q="diabète", commune="62498", radius_km=10),
     dict(nothing=True, elsewhere=["dt2-lille"])),
    # draft and suspended hidden
    ("draft-hidden", dict(q="reins", commune="59000"),
     dict(nothing=True, absent=["irc-lille-brouillon", "irc-douai-suspendu"])),
    ("suspended-hidden", dict(condition=["insuffisance-renale-chronique"], commune="59500"),
     dict(absent=["irc-lille-brouillon", "irc-douai-suspendu"])),
    # nothing understood
    ("not-understood", dict(q="j'ai un souci", commune="59000"),
     dict(understood=False, nothing=True)),
]  # fmt: skip


def _codes(results):
    return [r.programme.code for r in results]


@pytest.mark.parametrize(("query", "expect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_orientation_table(offer, query, expect):
    params = dict(query)
    params.setdefault("q", "")
    params.setdefault("condition", [])
    params["conditions"] = params.pop("condition")
    if "error" in expect:
        with pytest.raises(QueryError) as raised:
            orient(OrientationQuery(**params), now())
        assert raised.value.field == expect["error"]
        return
    answer = orient(OrientationQuery(**params), now())
    near, remote, elsewhere = (
        _codes(answer.results),
        _codes(answer.remote),
        _codes(answer.elsewhere),
    )
    if "first" in expect:
        assert near and near[0] == expect["first"], (near, remote, elsewhere)
    for code in expect.get("near", []):
        assert code in near, near
    for code in expect.get("remote", []):
        assert code in remote, remote
    for code in expect.get("elsewhere", []):
        assert code in elsewhere, elsewhere
    if expect.get("elsewhere_empty"):
        assert elsewhere == []
    for code in expect.get("absent", []):
        assert code not in near + remote + elsewhere
    if "nothing" in expect:
        assert answer.nothing_nearby is expect["nothing"]
    if "conditions" in expect:
        assert set(expect["conditions"]) <= set(answer.conditions), answer.conditions
    if "understood" in expect:
        assert answer.understood is expect["understood"]


def test_table_is_big_enough():
    assert len(CASES) >= 40


def test_ranking_by_distance_then_soonest_bep(offer):
    answer = orient(OrientationQuery(q="diabète", commune="Angoulême", pregnant=True), now())
    assert [r.programme.code for r in answer.results][:1] == ["dg-angouleme"]
    distances = [r.distance_km for r in answer.results]
    assert distances == sorted(distances)


def test_next_open_bep_skips_booked_and_past_slots(offer):
    answer = orient(OrientationQuery(q="diabète de type 2", commune="59000"), now())
    first = answer.results[0]
    assert first.next_bep.code == "bep-dt2-lille-2"
    assert first.next_cohort.code == "groupe-dt2-lille-janvier"


def test_reasons_are_plain_words(offer, app):
    from etp_orient.orientation.explain import reasons_text
    from etp_orient.orientation.index import get_index

    with app.test_request_context("/"):
        answer = orient(OrientationQuery(q="diabète de type 2", commune="59000"), now())
        reasons = reasons_text(answer.results[0], get_index().conditions)
    assert "Prochain rendez-vous le 3 décembre" in reasons
    assert "À moins d'1 km de chez vous" in reasons


def test_remote_reason(offer, app):
    from etp_orient.orientation.explain import reasons_text
    from etp_orient.orientation.index import get_index

    with app.test_request_context("/"):
        answer = orient(OrientationQuery(q="covid long", commune="59000"), now())
        reasons = reasons_text(answer.remote[0], get_index().conditions)
    assert "Possible à distance, de chez vous" in reasons


def test_index_sees_a_programme_withdrawn(offer):
    from etp_orient.extensions import db

    assert orient(OrientationQuery(q="bpco", commune="59000"), now()).results
    offer["programmes"]["bpco-lille"].status = "suspended"
    db.session.commit()
    answer = orient(OrientationQuery(q="bpco", commune="59000"), now())
    assert "bpco-lille" not in _codes(answer.results)


def test_shared_postal_code_is_its_area(offer):
    answer = orient(OrientationQuery(q="diabète", commune="16730"), now())
    place = answer.place
    assert place.insee is None and place.postal_code == "16730"
    assert {"Fléac", "Linars", "Trois-Palis"} <= {c.name for c in place.communes}
    # the population-weighted centre of the communes, the most populated one's département
    people = [max(c.population or 0, 1) for c in place.communes]
    lat = sum(c.lat * w for c, w in zip(place.communes, people, strict=True)) / sum(people)
    assert place.lat == pytest.approx(lat)
    assert min(c.lat for c in place.communes) <= place.lat <= max(c.lat for c in place.communes)
    assert place.departement == place.communes[0].departement == "16"
    populations = [c.population or 0 for c in place.communes]
    assert populations == sorted(populations, reverse=True)

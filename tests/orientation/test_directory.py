"""The directory /programmes and the professionals' table /pro/offre (issue 15, points 1
and 4), as a user without JavaScript sees them: filters in the query string, pages."""

import re

import pytest
from sqlalchemy import select

from etp_orient.catalogue.models import Programme
from etp_orient.extensions import db
from etp_orient.orientation import directory
from etp_orient.orientation.index import clear_cache


def forget_offer() -> None:
    clear_cache()
    directory.forget()


@pytest.fixture(autouse=True)
def _forget_around():
    forget_offer()
    yield
    forget_offer()


PUBLISHED_BY_TITLE = [
    "tabac-distance",  # Arrêter le tabac, à distance
    "surpoids-enfant-douai",  # Bien grandir
    "covid-long-distance",
    "dt2-reunion",  # Diabète de type 2 à La Réunion
    "dt2-douai",  # … au Grand Douai
    "dt2-angoumois",  # … en Angoumois
    "dg-angouleme",  # Diabète et grossesse
    "asthme-enfant-lille",  # L'asthme de mon enfant
    "bpco-lille",
    "obesite-lille",
    "cardio-roubaix",
    "dt2-lille",  # Vivre avec un diabète de type 2
]


def listed(page: str, section: str = "list-title") -> list[str]:
    """The programme codes of one section of the page, in order."""
    start = page.index(f'aria-labelledby="{section}"')
    end = page.find("</section>", start)
    return re.findall(r'<h3 class="result-title"><a href="/programmes/([^"]+)"', page[start:end])


def test_every_published_programme_by_title(offer, client):
    response = client.get("/programmes")
    assert response.status_code == 200
    page = response.text
    assert listed(page) == PUBLISHED_BY_TITLE
    assert "12 programmes" in page
    assert "irc-lille-brouillon" not in page and "irc-douai-suspendu" not in page
    # a row: plain title, structure, town, format, next BEP and the next group's seats
    row = page[
        page.index("/programmes/dt2-lille") : page.index(
            "</li>", page.index("/programmes/dt2-lille")
        )
    ]
    assert "Centre d&#39;examens de santé de Lille" in row
    assert "Lille" in row and "Sur place" in row
    assert "Premier rendez-vous : le 3 décembre à 10:00" in row
    assert "Prochain groupe le 13 décembre : 7 places" in row


def test_a_group_condition_takes_its_children(offer, client):
    page = client.get("/programmes?condition=diabete").text
    assert sorted(listed(page)) == [
        "dg-angouleme",
        "dt2-angoumois",
        "dt2-douai",
        "dt2-lille",
        "dt2-reunion",
    ]
    assert listed(client.get("/programmes?condition=prediabete").text) == ["dt2-douai"]


def test_a_departement_lists_its_sites_and_remote_ones_apart(offer, client):
    page = client.get("/programmes?departement=59").text
    assert sorted(listed(page)) == sorted(
        [
            "dt2-lille",
            "dt2-douai",
            "cardio-roubaix",
            "bpco-lille",
            "asthme-enfant-lille",
            "surpoids-enfant-douai",
            "obesite-lille",
        ]
    )
    assert "À distance, depuis chez vous" in page
    assert listed(page, "remote-title") == ["tabac-distance", "covid-long-distance", "dg-angouleme"]
    assert "remote-title" not in client.get("/programmes").text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # sur place: presentiel or mixte; à distance: distanciel or mixte
        (
            "format=distanciel",
            ["tabac-distance", "covid-long-distance", "dg-angouleme", "bpco-lille"],
        ),
        ("format=presentiel&condition=respiratoire", ["asthme-enfant-lille", "bpco-lille"]),
        ("audience=children", ["tabac-distance", "surpoids-enfant-douai", "asthme-enfant-lille"]),
        ("audience=pregnancy", ["dg-angouleme"]),
        ("audience=adults&condition=respiratoire", ["bpco-lille"]),
        (
            "structure=ces-lille",
            ["asthme-enfant-lille", "bpco-lille", "obesite-lille", "cardio-roubaix", "dt2-lille"],
        ),
    ],
)
def test_filters(offer, client, query, expected):
    response = client.get(f"/programmes?{query}")
    assert response.status_code == 200
    assert listed(response.text) == expected


def test_language_filter_and_sessions_languages(offer, client):
    programme = db.session.scalar(select(Programme).where(Programme.code == "obesite-lille"))
    programme.languages = ["fr", "ar"]
    db.session.commit()
    forget_offer()  # the clock is frozen: updated_at did not move
    page = client.get("/programmes").text
    assert '<option value="ar">arabe</option>' in page
    assert listed(client.get("/programmes?language=ar").text) == ["obesite-lille"]


def test_sort_by_next_date(offer, client):
    codes = listed(client.get("/programmes?condition=diabete&sort=next").text)
    # dates first (soonest BEP or group), then the programme without any
    assert codes[-1] == "dt2-douai"
    assert codes.index("dg-angouleme") < codes.index("dt2-lille")


def test_pages_keep_the_filters(offer, client):
    first = client.get("/programmes?format=presentiel&per_page=3").text
    assert "Page 1 sur 4" in first
    assert 'href="/programmes?format=presentiel&amp;page=2&amp;per_page=3"' in first
    second = client.get("/programmes?format=presentiel&per_page=3&page=2").text
    assert listed(second) == ["dt2-angoumois", "dg-angouleme", "asthme-enfant-lille"]
    assert 'rel="prev" href="/programmes?format=presentiel&amp;per_page=3"' in second
    beyond = client.get("/programmes?page=9").text
    assert "Il n'y a rien sur cette page." in beyond


def test_a_structure_link_filters_and_can_be_removed(offer, client):
    page = client.get("/programmes?condition=diabete").text
    assert 'href="/programmes?condition=diabete&amp;structure=cpts-grand-douai"' in page
    filtered = client.get("/programmes?condition=diabete&structure=cpts-grand-douai").text
    assert listed(filtered) == ["dt2-douai"]
    assert '<input type="hidden" name="structure" value="cpts-grand-douai">' in filtered
    assert 'href="/programmes?condition=diabete">Voir toutes les structures' in filtered


def test_bad_values_are_named_next_to_their_field(offer, client):
    response = client.get("/programmes?departement=99x&format=bus&condition=sucre&page=0")
    assert response.status_code == 400
    page = response.text
    assert 'id="f-departement-error"' in page
    assert (
        "Ce département n&#39;existe pas. Choisissez-le dans la liste. Vous avez écrit : « 99x »."
        in page
    )
    assert 'aria-describedby="f-format-error" aria-invalid="true"' in page
    assert "Choisissez une maladie dans la liste." in page
    assert "Ce numéro de page n&#39;est pas valide." in page
    # the list still shows, without the refused filters
    assert len(listed(page)) == 12


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_in_three_languages(offer, client, lang):
    response = client.get(f"/programmes?departement=16&lang={lang}")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.text
    if lang == "ar":
        assert 'dir="rtl"' in response.text
    assert sorted(listed(response.text)) == ["dg-angouleme", "dt2-angoumois"]


def test_carte_is_not_a_programme(offer, client):
    page = client.get("/programmes/carte").text
    assert "Carte de l'offre" in page
    assert client.get("/programmes/carte/rdv").status_code == 404


def test_the_map_page_lists_the_same_sites_without_javascript(offer, client):
    page = client.get("/programmes/carte?condition=diabete&departement=16").text
    assert 'data-markers="/api/v1/programmes/carte?condition=diabete&amp;departement=16"' in page
    sites = re.findall(r'data-site="([^"]+)"', page)
    assert sites == ["angouleme-ch", "saint-yrieix-salle"]
    assert "2 lieux" in page
    many = client.get("/programmes/carte").text
    assert len(re.findall(r'data-site="', many)) == 7  # every site of the published offer


def test_pro_offer_table_by_departement(offer, client):
    response = client.get("/pro/offre?condition=diabete")
    assert response.status_code == 200
    page = response.text
    headings = re.findall(r'<h2 id="dep-[^"]+">([^<]+)</h2>', page)
    assert headings == ["Département 16", "Département 59", "Département 974"]
    dt2_lille = page[page.index("/programmes/dt2-lille") :]
    row = dt2_lille[: dt2_lille.index("</tr>")]
    assert "Diététicien ou diététicienne" in row  # team professions
    assert "Premier rendez-vous : le 3 décembre" in row
    assert "Groupe le 13 décembre (7 places)" in row
    cpts = client.get("/pro/offre?structure=cpts-grand-douai").text
    assert "CPTS du Grand Douai" in cpts
    assert re.findall(r'<h2 id="dep-[^"]+">([^<]+)</h2>', cpts) == ["Département 59"]

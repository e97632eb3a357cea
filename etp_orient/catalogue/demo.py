"""The demo territory: an offer file built from the source documents (shared/seeds).

:func:`build_demo_offer` returns a dict in the offer-file format
(``offer.schema.json``) whose dates fall in the weeks after ``now()``, so the demo
never goes stale. Structures and communes are real (INSEE codes); people, rooms,
addresses, phone numbers (ARCEP's fictional ranges), e-mails (example.org) and
ARS references are made up.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..core.clock import now

PARIS = "Europe/Paris"
REUNION = "Indian/Reunion"

# code, name, kind, commune INSEE, phone
STRUCTURES = [
    ("cpts-grand-douai", "CPTS du Grand Douai", "cpts", "59178", "03 53 73 00 01"),
    ("cpts-la-gohelle", "CPTS La Gohelle", "cpts", "62498", "03 53 73 00 02"),
    ("cpts-audomaroise", "CPTS Audomaroise", "cpts", "62765", "03 53 73 00 03"),
    ("cpts-grand-valenciennes", "CPTS du Grand Valenciennes", "cpts", "59606", "03 53 73 00 04"),
    ("cpts-grand-amiens", "CPTS du Grand Amiens", "cpts", "80021", "03 53 73 00 05"),
    ("cpts-beauvaisis", "CPTS du Beauvaisis", "cpts", "60057", "03 53 73 00 06"),
    ("cpts-lys-armentieres", "CPTS Lys Armentières", "cpts", "59017", "03 53 73 00 07"),
    ("cpts-lille-ouest", "CPTS Lille Ouest", "cpts", "59350", "03 53 73 00 08"),
    ("ces-lille", "Centre d'examens de santé de l'Assurance Maladie de Lille", "ces", "59350",
     "03 53 73 00 09"),
    ("cpts-ouest-angoumois", "CPTS Ouest Angoumois", "cpts", "16358", "05 36 49 00 01"),
    ("ch-angouleme", "Centre hospitalier d'Angoulême", "hospital", "16341", "05 36 49 00 02"),
    ("ch-rene-dubos", "Centre hospitalier René-Dubos", "hospital", "95500", "01 99 00 00 01"),
    ("ch-argenteuil", "Centre hospitalier Victor-Dupouy", "hospital", "95018", "01 99 00 00 02"),
    ("ch-gonesse", "Centre hospitalier de Gonesse", "hospital", "95277", "01 99 00 00 03"),
    ("coordetp-95", "CoordETP 95, plateforme ETP du Val-d'Oise", "platform", "95127",
     "01 99 00 00 04"),
    ("chu-la-reunion", "CHU de La Réunion, site Félix-Guyon", "hospital", "97411",
     "01 99 00 00 05"),
    # Brittany (seed 002, Pôle ETP Bretagne): a few programmes so that its orientation can be lived
    ("chu-rennes", "CHU de Rennes, hôpital Pontchaillou", "hospital", "35238", "02 61 91 00 01"),
    ("chu-brest", "CHU de Brest, hôpital de la Cavale Blanche", "hospital", "29019",
     "02 61 91 00 02"),
    ("ch-bretagne-sud", "Centre hospitalier Bretagne Sud", "hospital", "56121", "02 61 91 00 03"),
    # one platform per seed territory, answering for it when nothing is near (examples)
    ("plateforme-etp-hdf", "Plateforme ETP Hauts-de-France (exemple)", "platform", "59350",
     "03 53 73 00 90"),
    ("pole-etp-bretagne", "Pôle ETP Bretagne (exemple)", "platform", "35238", "02 61 91 00 90"),
    ("utep-rennes", "UTEP du CHU de Rennes (exemple)", "utep", "35238", "02 61 91 00 91"),
    ("plateforme-etp-charente", "Plateforme ETP de la Charente (exemple)", "platform", "16015",
     "05 36 49 00 90"),
    ("plateforme-etp-reunion", "Plateforme ETP de La Réunion (exemple)", "platform", "97411",
     "01 99 00 00 90"),
]  # fmt: skip

# the territory each platform answers for (structure field "territory", docs/orientation.md):
# a commune list beats a département, so Rennes and Betton call the UTEP, the rest of
# Brittany the Pôle ETP Bretagne
TERRITORIES = {
    "plateforme-etp-hdf": {"departements": ["02", "59", "60", "62", "80"]},
    "coordetp-95": {"departements": ["95"]},
    "pole-etp-bretagne": {"departements": ["22", "29", "35", "56"]},
    "utep-rennes": {"communes": ["35238", "35024"]},
    "plateforme-etp-charente": {"departements": ["16"]},
    "plateforme-etp-reunion": {"departements": ["974"]},
}

# code, structure, name, INSEE, postal code, address, step-free, transport, time zone
SITES = [
    ("douai-maison-sante", "cpts-grand-douai", "Maison de santé du centre", "59178", "59500",
     "Salle de réunion, rez-de-chaussée", True, "Bus : arrêt Hôtel de ville", PARIS),
    ("lens-salle-cpts", "cpts-la-gohelle", "Salle de la CPTS La Gohelle", "62498", "62300",
     "Près de la gare", True, "Train et bus : gare de Lens", PARIS),
    ("lievin-msp", "cpts-la-gohelle", "Maison de santé de Liévin", "62510", "62800",
     None, True, "Bus : arrêt Mairie", PARIS),
    ("saint-omer-salle", "cpts-audomaroise", "Salle de la CPTS Audomaroise", "62765", "62500",
     None, False, "Bus : arrêt Place Foch", PARIS),
    ("valenciennes-salle", "cpts-grand-valenciennes", "Salle de la CPTS", "59606", "59300",
     None, True, "Tramway : arrêt Place d'Armes", PARIS),
    ("denain-msp", "cpts-grand-valenciennes", "Maison de santé de Denain", "59172", "59220",
     None, True, "Tramway : arrêt Denain centre", PARIS),
    ("amiens-salle", "cpts-grand-amiens", "Salle de la CPTS du Grand Amiens", "80021", "80000",
     None, True, "Bus : arrêt Gare du Nord", PARIS),
    ("beauvais-salle", "cpts-beauvaisis", "Salle de la CPTS du Beauvaisis", "60057", "60000",
     None, True, "Bus : arrêt Hôtel de ville", PARIS),
    ("armentieres-salle", "cpts-lys-armentieres", "Salle de la CPTS", "59017", "59280",
     None, True, "Train : gare d'Armentières", PARIS),
    ("ces-lille-site", "ces-lille", "Centre d'examens de santé", "59350", "59000",
     None, True, "Métro : ligne 1", PARIS),
    ("angouleme-ch", "ch-angouleme", "Hôpital de Girac, maternité", "16341", "16470",
     "Rond-point de Girac", True, "Bus : arrêt Hôpital de Girac", PARIS),
    ("saint-yrieix-salle", "cpts-ouest-angoumois", "Salle de la CPTS Ouest Angoumois", "16358",
     "16710", None, True, "Bus : arrêt Mairie", PARIS),
    ("pontoise-ch", "ch-rene-dubos", "Hôpital René-Dubos, salle d'éducation", "95500", "95300",
     None, True, "RER C et train : gare de Pontoise", PARIS),
    ("argenteuil-ch", "ch-argenteuil", "Hôpital d'Argenteuil, unité d'éducation", "95018",
     "95100", None, True, "Bus : arrêt Hôpital", PARIS),
    ("gonesse-ch", "ch-gonesse", "Hôpital de Gonesse, salle d'éducation", "95277", "95500",
     None, True, "Bus : arrêt Hôpital", PARIS),
    ("saint-denis-reunion-chu", "chu-la-reunion", "CHU Félix-Guyon, unité d'éducation", "97411",
     "97400", None, True, "Bus : arrêt CHU Félix-Guyon", REUNION),
    ("rennes-pontchaillou", "chu-rennes", "Hôpital Pontchaillou, salle d'éducation", "35238",
     "35000", None, True, "Métro : ligne A, arrêt Pontchaillou", PARIS),
    ("brest-cavale-blanche", "chu-brest", "Hôpital de la Cavale Blanche, unité d'éducation",
     "29019", "29200", None, True, "Tramway : arrêt Cavale Blanche", PARIS),
    ("lorient-scorff", "ch-bretagne-sud", "Hôpital du Scorff, salle d'éducation", "56121",
     "56100", None, True, "Bus : arrêt Hôpital du Scorff", PARIS),
]  # fmt: skip

URPS = "Programme de l'Union des URPS Hauts-de-France, mené par les soignants de la CPTS."

W = {  # reusable workshops: code -> (title, plain summary, minutes)
    "comprendre": ("Comprendre sa maladie", "Ce qui se passe dans le corps, avec des mots simples.", 120),
    "alimentation": ("Manger équilibré", "Des repères simples pour les repas de tous les jours.", 120),
    "activite": ("Bouger plus", "Trouver une activité physique qui vous plaît.", 120),
    "traitements": ("Mes traitements", "Bien prendre ses médicaments et savoir quoi faire en cas d'oubli.", 120),
    "vivre": ("Vivre avec la maladie", "Partager son vécu et trouver ses solutions.", 120),
    "souffle": ("Mieux respirer", "Techniques de respiration et bon usage des inhalateurs.", 120),
    "crise": ("Réagir en cas de crise", "Reconnaître les signes et savoir quoi faire.", 90),
    "surveillance": ("Surveiller sa santé", "Les chiffres à suivre et les signes qui doivent alerter.", 90),
    "stress": ("Gérer le stress", "Des exercices simples pour se détendre.", 90),
}  # fmt: skip

# code, title, plain title, structures, conditions, sites, formats, audience, team,
# workshops, summary, languages
# programmes whose groups anyone may join from the public group page
OPEN_GROUPS = {"ces-lille-tabac"}

PROGRAMMES = [
    ("dt2-grand-douai", "Diabète de type 2", "Vivre mieux avec son diabète",
     ["cpts-grand-douai"], ["diabete-type-2"], ["douai-maison-sante"], ["presentiel"], {"age_min": 18},
     ["medecin", "infirmier", "dieteticien", "enseignant-apa", "pharmacien"],
     ["comprendre", "alimentation", "activite", "traitements"], URPS, ["fr"]),
    ("dt2-la-gohelle", "Diabète de type 2", "Vivre mieux avec son diabète",
     ["cpts-la-gohelle"], ["diabete-type-2"], ["lens-salle-cpts", "lievin-msp"], ["presentiel"],
     {"age_min": 18}, ["medecin", "infirmier", "dieteticien", "pharmacien"],
     ["comprendre", "alimentation", "activite", "traitements"], URPS, ["fr"]),
    ("rcv-grand-valenciennes", "Risque cardiovasculaire", "Prendre soin de son cœur",
     ["cpts-grand-valenciennes"], ["risque-cardiovasculaire", "hypertension"],
     ["valenciennes-salle", "denain-msp"], ["presentiel"], {"age_min": 18},
     ["medecin", "infirmier", "dieteticien", "enseignant-apa"],
     ["comprendre", "alimentation", "activite", "traitements"], URPS, ["fr"]),
    ("rcv-audomaroise", "Risque cardiovasculaire", "Prendre soin de son cœur",
     ["cpts-audomaroise"], ["risque-cardiovasculaire", "hypertension"], ["saint-omer-salle"],
     ["presentiel"], {"age_min": 18}, ["medecin", "pharmacien", "dieteticien"],
     ["comprendre", "alimentation", "activite"], URPS, ["fr"]),
    ("bpco-la-gohelle", "BPCO de grade I et II", "Mieux respirer au quotidien",
     ["cpts-la-gohelle"], ["bpco"], ["lens-salle-cpts"], ["presentiel"], {"age_min": 18},
     ["medecin", "kinesitherapeute", "infirmier", "enseignant-apa"],
     ["comprendre", "souffle", "activite", "traitements"], URPS, ["fr"]),
    ("surpoids-enfant-grand-amiens", "Surpoids de l'enfant de 6 à 12 ans",
     "Aider son enfant à retrouver un poids de forme", ["cpts-grand-amiens"], ["surpoids-enfant"],
     ["amiens-salle"], ["presentiel"], {"age_min": 6, "age_max": 12},
     ["medecin", "dieteticien", "enseignant-apa", "psychologue"],
     ["alimentation", "activite", "vivre"],
     URPS + " L'enfant vient avec un parent.", ["fr"]),
    ("surpoids-enfant-beauvaisis", "Surpoids de l'enfant de 6 à 12 ans",
     "Aider son enfant à retrouver un poids de forme", ["cpts-beauvaisis"], ["surpoids-enfant"],
     ["beauvais-salle"], ["presentiel"], {"age_min": 6, "age_max": 12},
     ["medecin", "dieteticien", "enseignant-apa"], ["alimentation", "activite", "vivre"],
     URPS + " L'enfant vient avec un parent.", ["fr"]),
    ("bariatrique-lys-armentieres", "Suivi après chirurgie bariatrique",
     "Bien vivre après une opération de l'estomac", ["cpts-lys-armentieres"],
     ["chirurgie-bariatrique"], ["armentieres-salle"], ["presentiel", "mixte"], {"age_min": 18},
     ["medecin", "dieteticien", "psychologue", "enseignant-apa"],
     ["alimentation", "activite", "vivre", "traitements"], URPS, ["fr"]),
    ("ces-lille-diabete", "Diabète de type 2 — CES de Lille", "Vivre mieux avec son diabète",
     ["ces-lille"], ["diabete-type-2"], ["ces-lille-site"], ["presentiel", "mixte"],
     {"age_min": 18}, ["medecin", "infirmier", "dieteticien"],
     ["vivre", "alimentation", "activite", "traitements"],
     "Programme national des centres d'examens de santé. Un même groupe suit 4 ateliers.",
     ["fr", "ar"]),
    ("ces-lille-bpco", "BPCO — CES de Lille", "Mieux respirer au quotidien", ["ces-lille"],
     ["bpco"], ["ces-lille-site"], ["presentiel"], {"age_min": 18},
     ["medecin", "infirmier", "kinesitherapeute"], ["vivre", "souffle", "activite", "traitements"],
     "Programme national des centres d'examens de santé. Un même groupe suit 4 ateliers.",
     ["fr"]),
    ("ces-lille-asthme", "Asthme — CES de Lille", "Vivre avec son asthme", ["ces-lille"],
     ["asthme"], ["ces-lille-site"], ["presentiel", "distanciel"], {"age_min": 16},
     ["medecin", "infirmier"], ["vivre", "souffle", "crise", "traitements"],
     "Programme national des centres d'examens de santé. Ateliers sur place ou en visio.",
     ["fr"]),
    ("ces-lille-cardio", "Risque cardiovasculaire — CES de Lille", "Prendre soin de son cœur",
     ["ces-lille"], ["risque-cardiovasculaire", "hypertension"], ["ces-lille-site"],
     ["presentiel"], {"age_min": 18}, ["medecin", "infirmier", "dieteticien"],
     ["vivre", "alimentation", "activite", "traitements"],
     "Programme national des centres d'examens de santé. Un même groupe suit 4 ateliers.",
     ["fr", "ar"]),
    ("ces-lille-tabac", "Atelier tabac — CES de Lille", "Un atelier pour parler du tabac",
     ["ces-lille"], ["tabac"], ["ces-lille-site"], ["presentiel"], {"age_min": 18},
     ["medecin", "infirmier"], ["tabac"],
     "Atelier ouvert aux patients de tous les programmes du centre. Sans jugement.", ["fr"]),
    ("diabete-grossesse-angoumois", "Diabète gestationnel", "Diabète pendant la grossesse",
     ["cpts-ouest-angoumois", "ch-angouleme"], ["diabete-gestationnel"],
     ["angouleme-ch", "saint-yrieix-salle"], ["presentiel"], {"pregnancy": "required"},
     ["endocrinologue", "sage-femme", "infirmier-ipa", "dieteticien", "enseignant-apa",
      "sophrologue", "aide-soignant", "coordinateur"],
     ["comprendre", "alimentation", "activite", "surveillance", "stress"],
     "Programme construit par la CPTS Ouest Angoumois et le centre hospitalier d'Angoulême. "
     "Les ateliers ont lieu à l'hôpital ou près de chez vous.", ["fr"]),
    ("vo-diabete-pontoise", "Diabète de l'adulte", "Vivre mieux avec son diabète",
     ["ch-rene-dubos"], ["diabete-type-2", "diabete-type-1"], ["pontoise-ch"],
     ["presentiel"], {"age_min": 18}, ["endocrinologue", "infirmier", "dieteticien", "podologue"],
     ["comprendre", "alimentation", "traitements", "surveillance"],
     "Programme de l'hôpital, ouvert aux patients suivis en ville.", ["fr"]),
    ("vo-irc-pontoise", "Insuffisance rénale chronique", "Prendre soin de ses reins",
     ["ch-rene-dubos"], ["insuffisance-renale-chronique"], ["pontoise-ch"], ["presentiel"],
     {"age_min": 18}, ["nephrologue", "infirmier", "dieteticien"],
     ["comprendre", "alimentation", "traitements"], "Avant la dialyse, ou pour l'éviter.", ["fr"]),
    ("vo-coeur-argenteuil", "Insuffisance cardiaque", "Vivre avec un cœur fatigué",
     ["ch-argenteuil"], ["insuffisance-cardiaque"], ["argenteuil-ch"], ["presentiel"],
     {"age_min": 18}, ["cardiologue", "infirmier", "dieteticien", "enseignant-apa"],
     ["comprendre", "alimentation", "surveillance", "activite"],
     "Programme de l'hôpital, ouvert aux patients suivis en ville.", ["fr"]),
    ("vo-avk-argenteuil", "Traitement anticoagulant", "Bien vivre avec un anticoagulant",
     ["ch-argenteuil"], ["anticoagulants"], ["argenteuil-ch"], ["presentiel", "distanciel"],
     {"age_min": 18}, ["medecin", "pharmacien", "infirmier"], ["traitements", "surveillance", "vivre"],
     "Trois ateliers, sur place ou en visio.", ["fr"]),
    ("vo-asthme-gonesse", "Asthme de l'enfant et de l'adulte", "Vivre avec son asthme",
     ["ch-gonesse"], ["asthme"], ["gonesse-ch"], ["presentiel"], {"age_min": 6},
     ["pneumologue", "infirmier", "kinesitherapeute"], ["comprendre", "souffle", "crise"],
     "Les enfants viennent avec un parent.", ["fr"]),
    ("covid-long-distance", "Covid long", "Mieux vivre avec un Covid long", ["cpts-lille-ouest"],
     ["covid-long"], [], ["distanciel"], {"age_min": 18},
     ["medecin", "kinesitherapeute", "psychologue", "enseignant-apa"],
     ["comprendre", "souffle", "activite", "stress"],
     "Tout se passe à distance : au téléphone et en visio, depuis chez vous.", ["fr"]),
    ("bzh-diabete-rennes", "Diabète de type 2 — CHU de Rennes", "Vivre mieux avec son diabète",
     ["chu-rennes"], ["diabete-type-2"], ["rennes-pontchaillou"], ["presentiel"], {"age_min": 18},
     ["endocrinologue", "infirmier", "dieteticien", "enseignant-apa"],
     ["comprendre", "alimentation", "activite", "traitements"],
     "Programme de l'hôpital, ouvert aux patients suivis en ville.", ["fr"]),
    ("bzh-bpco-rennes", "BPCO — CHU de Rennes", "Mieux respirer au quotidien", ["chu-rennes"],
     ["bpco"], ["rennes-pontchaillou"], ["presentiel", "mixte"], {"age_min": 18},
     ["pneumologue", "kinesitherapeute", "infirmier"], ["comprendre", "souffle", "activite"],
     "Ateliers à l'hôpital, certains en visio.", ["fr"]),
    ("bzh-coeur-brest", "Insuffisance cardiaque — CHU de Brest", "Vivre avec un cœur fatigué",
     ["chu-brest"], ["insuffisance-cardiaque"], ["brest-cavale-blanche"], ["presentiel"],
     {"age_min": 18}, ["cardiologue", "infirmier", "dieteticien"],
     ["comprendre", "alimentation", "surveillance"],
     "Programme de l'hôpital, ouvert aux patients suivis en ville.", ["fr"]),
    ("bzh-poids-lorient", "Obésité de l'adulte — Bretagne Sud", "Prendre soin de son poids",
     ["ch-bretagne-sud"], ["obesite-adulte"], ["lorient-scorff"], ["presentiel"],
     {"age_min": 18}, ["medecin", "dieteticien", "psychologue", "enseignant-apa"],
     ["alimentation", "activite", "vivre"],
     "Des ateliers en groupe, sans régime imposé.", ["fr"]),
    ("reunion-diabete", "Diabète de type 2 — La Réunion", "Vivre mieux avec son diabète",
     ["chu-la-reunion"], ["diabete-type-2"], ["saint-denis-reunion-chu"], ["presentiel"],
     {"age_min": 18}, ["medecin", "infirmier", "dieteticien", "enseignant-apa"],
     ["comprendre", "alimentation", "activite", "traitements"],
     "Ateliers en français ou en créole réunionnais.", ["fr", "rcf"]),
]  # fmt: skip

TABAC = ("Parler du tabac", "Réduire ou arrêter, à votre rythme, avec d'autres personnes.", 120)
# the named team members of the demo: each structure has its own people (first names by
# profession, a family name by structure and profession); the CES of Lille's nurse is
# Claire Martin, its demo educator's account. A profession without first names here
# stays a plain profession in the team.
FIRST_NAMES = {
    "infirmier": ["Lucie", "Hugo", "Amina", "Claire"],
    "dieteticien": ["Emma", "Léa", "Yanis", "Karim"],
    "medecin": ["Marc", "Nora", "Pierre", "Sophie"],
    "enseignant-apa": ["Chloé", "Samir", "Inès", "Julien"],
    "kinesitherapeute": ["Manon", "Omar", "Julie", "Thomas"],
    "pharmacien": ["Mehdi", "Camille", "Louis", "Anne"],
    "sage-femme": ["Sarah", "Aïcha", "Marie", "Élise"],
    "psychologue": ["Zoé", "Rachid", "Clara", "Paul"],
}
FAMILY_NAMES = [
    "Bernard", "Lambert", "Diallo", "Roux", "Fontaine", "Morel", "Dubois", "Haddad",
    "Laurent", "Garnier", "Chevalier", "Mercier", "Blanc", "Perrin", "Girard", "Sanchez",
    "Robin", "Fabre", "Lemoine", "Traoré", "Colin", "Renaud", "Marchand", "Aubert",
    "Noël", "Caron", "Rousseau", "Bonnet", "Dupont", "Vidal", "Moreau", "Gauthier",
]  # fmt: skip
CES_LILLE = {"infirmier": "Claire Martin", "dieteticien": "Karim Benali",
             "medecin": "Sophie Lefebvre", "enseignant-apa": "Julien Petit"}  # fmt: skip
TRAINED_ON = ["2023-03-17", "2022-11-25", "2021-06-11", "2024-01-19"]


def _person_name(owner: str, profession: str) -> str:
    if owner == "ces-lille" and profession in CES_LILLE:
        return CES_LILLE[profession]
    k = [row[0] for row in STRUCTURES].index(owner)
    j = list(FIRST_NAMES).index(profession)
    # within a profession, each of the (fewer than 32) structures has its own family name;
    # across professions the first names differ: no two people of the demo share a name
    family = FAMILY_NAMES[(k + 3 * j) % len(FAMILY_NAMES)]
    return f"{FIRST_NAMES[profession][k % 4]} {family}"


def _team(professions: list[str], owner: str) -> list:
    """The offer file's team: a named member for each profession the demo has names for,
    the structure's own people."""
    k = [row[0] for row in STRUCTURES].index(owner)
    return [
        {"name": _person_name(owner, p), "profession": p, "trained_on": TRAINED_ON[k % 4]}
        if p in FIRST_NAMES
        else p
        for p in professions
    ]


def _people(team: list) -> list[str]:
    """Who runs the programme's groups and receives its BEPs: its named members."""
    return [m["name"] for m in team if isinstance(m, dict)]


def _site_zone(site_code: str | None) -> str:
    return next((s[8] for s in SITES if s[0] == site_code), PARIS)


# fixed-date public holidays in France (month, day): no demo date falls on them
HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}


def _working_day(day: date) -> date:
    """``day``, or the next weekday that is not a fixed public holiday."""
    while day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
        day += timedelta(days=1)
    return day


def _weekday_after(start: date, days: int) -> date:
    """The working day ``days`` after ``start`` (moved forward past weekends and holidays)."""
    return _working_day(start + timedelta(days=days))


def _at(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone))


def _slots(
    index: int, code: str, sites: list[str], formats: list[str], today: date, people
) -> list:
    slots = []
    places: list[tuple[str | None, str | None]] = [(s, None) for s in sites]
    if "distanciel" in formats or "mixte" in formats or not sites:
        places += [(None, "video"), (None, "phone")]
    elif index % 2 == 0:
        places.append((None, "phone"))
    for n in range(8):
        site, remote = places[n % len(places)]
        day = _weekday_after(today, 2 + n * 3 + index % 3)
        start = _at(day, (9, 10, 14, 16)[n % 4], 30 if n % 3 == 0 else 0, _site_zone(site))
        slot = {
            "code": f"{code}-bep-{n + 1}",
            "programme": code,
            "kind": "bep",
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=45)).isoformat(),
            "professional": people[(index + n) % len(people)],
        }
        slot.update({"site": site} if site else {"remote": remote})
        slots.append(slot)
    return slots


def _one_place_at_a_time(slots: list[dict], cohorts: list[dict]) -> None:
    """No professional in two places at once: a slot that would overlap another slot or
    a group session of its professional moves later the same day, 45 minutes at a time
    (the demo once had five BEPs at 09:30 with one professional)."""
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for cohort in cohorts:
        for session in cohort["sessions"]:
            span = (
                datetime.fromisoformat(session["start"]),
                datetime.fromisoformat(session["end"]),
            )
            for name in cohort["facilitators"]:
                busy.setdefault(name, []).append(span)
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        length = datetime.fromisoformat(slot["end"]) - start
        taken = busy.setdefault(slot["professional"], [])
        while any(start < end and begin < start + length for begin, end in taken):
            start += timedelta(minutes=45)
        slot["start"], slot["end"] = start.isoformat(), (start + length).isoformat()
        taken.append((start, start + length))


def _cohorts(index: int, code: str, sites: list[str], formats: list[str], workshops, today, people):
    cohorts = []
    plans = [(sites[0] if sites else None, 14)]
    if len(sites) > 1:
        plans.append((sites[1], 21))
    elif "distanciel" in formats and sites:
        plans.append((None, 18))
    for number, (site, first_in) in enumerate(plans, start=1):
        zone = _site_zone(site)
        first = _weekday_after(today, first_in + index % 4)
        sessions = []
        for rank, (wcode, _title, minutes) in enumerate(workshops):
            day = _working_day(first + timedelta(weeks=rank))
            start = _at(day, 14 if index % 2 else 9, 30, zone)
            sessions.append(
                {
                    "code": f"{code}-g{number}-s{rank + 1}",
                    "workshop": wcode,
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=minutes)).isoformat(),
                    **({"room": "Salle 1"} if site else {}),
                }
            )
        cohort = {
            "code": f"{code}-g{number}",
            "programme": code,
            "format": "presentiel" if site else "distanciel",
            # a transversal atelier gathers patients of several programmes: a larger room
            "capacity": 12 if workshops[0][0] == "tabac" else 10 - 2 * (number - 1),
            "registration_closes": _at(first - timedelta(days=1), 18, 0, zone).isoformat(),
            "facilitators": list(
                dict.fromkeys([people[index % len(people)], people[(index + 1) % len(people)]])
            ),
            "sessions": sessions,
        }
        if site:
            cohort["site"] = site
        cohorts.append(cohort)
    return cohorts


def build_demo_offer(at: datetime | None = None) -> dict:
    """The demo territory as an offer-file dict, dated in the weeks after ``at`` (default now())."""
    today = (at or now()).astimezone(ZoneInfo(PARIS)).date()
    structures = [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "commune": insee,
            "phone": phone,
            "email": f"contact@{code}.example.org",
        }
        for code, name, kind, insee, phone in STRUCTURES
    ]
    for structure in structures:
        if structure["code"] in TERRITORIES:
            structure["territory"] = TERRITORIES[structure["code"]]
            structure["website"] = f"https://{structure['code']}.example.org"
    sites = []
    for code, structure, name, insee, postal, address, step_free, transport, zone in SITES:
        site = {
            "code": code,
            "structure": structure,
            "name": name,
            "commune": insee,
            "postal_code": postal,
            "step_free_access": step_free,
            "transport": transport,
            "timezone": zone,
        }
        if address:
            site["address"] = address
        sites.append(site)
    programmes, slots, cohorts = [], [], []
    for index, row in enumerate(PROGRAMMES):
        code, title, plain, owners, conditions, psites, formats, audience, team = row[:9]
        workshop_codes, summary, languages = row[9:]
        workshops = [
            (w, *(TABAC if w == "tabac" else W[w])) for w in workshop_codes
        ]  # (code, title, summary, minutes)
        programmes.append(
            {
                "code": code,
                "title": title,
                "plain_title": plain,
                "summary_plain": summary,
                "structures": owners,
                "conditions": conditions,
                "audience": audience,
                "formats": formats,
                "languages": languages,
                "sites": psites,
                "ars_authorisation": f"ETP-DEMO-{2021 + index % 4}-{index + 101:03d}",
                "team": _team(team, owners[0]),
                "workshops": [
                    {
                        "code": w,
                        "title": t,
                        "summary_plain": s,
                        "duration_min": m,
                        "transversal": w == "tabac",
                    }
                    for w, t, s, m in workshops
                ],
                "contact": {
                    "name": "Coordination du programme",
                    "email": f"etp@{owners[0]}.example.org",
                    "phone": next(s[4] for s in STRUCTURES if s[0] == owners[0]),
                },
                "status": "published",
                # the seeds' programmes start with the BEP; the transversal atelier is open
                "group_access": "open" if code in OPEN_GROUPS else "after_bep",
            }
        )
        slots += _slots(index, code, psites, formats, today, _people(_team(team, owners[0])))
        timed = [(w, t, m) for w, t, _s, m in workshops]
        cohorts += _cohorts(
            index, code, psites, formats, timed, today, _people(_team(team, owners[0]))
        )
    _one_place_at_a_time(slots, cohorts)
    return {
        "version": 1,
        "structures": structures,
        "sites": sites,
        "programmes": programmes,
        "slots": slots,
        "cohorts": cohorts,
    }


# demo staff accounts: e-mail, role, structure code (None: none), full name, profession
DEMO_ACCOUNTS = [
    (
        "coordination@cpts-ouest-angoumois.example.org",
        "coordinator",
        "cpts-ouest-angoumois",
        "Nadia Roche",
        "coordinatrice",
    ),
    ("educatrice@ces-lille.example.org", "educator", "ces-lille", "Claire Martin", "infirmier"),
    ("medecin.traitant@example.org", "referrer", None, "Dr Paul Girard", "medecin"),
    ("admin@example.org", "admin", None, "Administratrice de la plateforme", None),
]

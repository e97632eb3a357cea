"""Easy-read (FALC-style) versions of the key pages.

One idea per line, a pictogram beside it (decorative: the sentence carries the
meaning), very short everyday words, no abbreviation. Slugs match the plain
pages, so each version links to the other.
"""

from flask_babel import lazy_gettext as _l

from .pages import E, EasyPage

INFO, USERS, CALENDAR, CLOCK = "icons/info", "icons/users", "icons/calendar", "icons/clock"
PHONE, VIDEO, MAIL, PIN = "icons/phone", "icons/video", "icons/mail", "icons/map-pin"
SEARCH = "icons/search"

ETP = EasyPage(
    slug="etp",
    title=_l("Mieux vivre avec sa maladie"),
    extra={"icon": INFO},
    sections=(
        E(
            _l("C'est quoi ?"),
            (INFO, _l("Vous avez une maladie qui dure.")),
            (USERS, _l("Des soignants peuvent vous aider.")),
            (INFO, _l("Ils vous aident à mieux vivre.")),
            (INFO, _l("Cette aide a un nom : l'éducation thérapeutique.")),
        ),
        E(
            _l("Comment ça marche ?"),
            (CALENDAR, _l("D'abord, vous voyez un soignant.")),
            (INFO, _l("Vous êtes seul avec lui.")),
            (USERS, _l("Ensuite, vous allez dans un petit groupe.")),
            (USERS, _l("Vous parlez avec d'autres malades.")),
            (CLOCK, _l("À la fin, vous faites le point.")),
        ),
        E(
            _l("Combien ça coûte ?"),
            (INFO, _l("C'est gratuit.")),
            (INFO, _l("Vous ne payez rien.")),
        ),
    ),
)

FIRST = EasyPage(
    slug="premier-rendez-vous",
    title=_l("Le premier rendez-vous"),
    extra={"icon": CALENDAR},
    sections=(
        E(
            _l("Avant"),
            (SEARCH, _l("Vous cherchez un programme.")),
            (CALENDAR, _l("Vous choisissez un jour.")),
            (MAIL, _l("Vous recevez un lien.")),
            (MAIL, _l("Ce lien sert à changer la date.")),
        ),
        E(
            _l("Pendant"),
            (CALENDAR, _l("Vous voyez un soignant, seul.")),
            (INFO, _l("Vous parlez de votre vie.")),
            (INFO, _l("Vous dites ce qui est dur.")),
            (INFO, _l("Vous dites ce que vous voulez.")),
            (INFO, _l("Ce n'est pas un examen.")),
        ),
        E(
            _l("Où ?"),
            (PIN, _l("Près de chez vous.")),
            (PHONE, _l("Ou parfois par téléphone.")),
            (VIDEO, _l("Ou parfois en vidéo.")),
            (USERS, _l("Un proche peut venir avec vous.")),
        ),
    ),
)

GROUP = EasyPage(
    slug="ateliers",
    title=_l("Le groupe"),
    extra={"icon": USERS},
    sections=(
        E(
            _l("Le groupe"),
            (USERS, _l("Vous allez dans un petit groupe.")),
            (USERS, _l("C'est le même groupe à chaque fois.")),
            (CALENDAR, _l("Il y a souvent trois à cinq rencontres.")),
        ),
        E(
            _l("Dans le groupe"),
            (INFO, _l("On parle de la vie de tous les jours.")),
            (INFO, _l("On écoute les autres.")),
            (INFO, _l("Vous parlez si vous voulez.")),
            (USERS, _l("Deux soignants sont là pour aider.")),
        ),
        E(
            _l("Les dates"),
            (CALENDAR, _l("Vous voyez toutes les dates.")),
            (MAIL, _l("Une date change ? On vous le dit.")),
        ),
    ),
)

FREE = EasyPage(
    slug="gratuit",
    title=_l("C'est gratuit"),
    extra={"icon": INFO},
    sections=(
        E(
            _l("Vous ne payez rien"),
            (CALENDAR, _l("Le premier rendez-vous est gratuit.")),
            (USERS, _l("Le groupe est gratuit.")),
            (CLOCK, _l("Le bilan de la fin est gratuit.")),
        ),
        E(
            _l("Qui paie ?"),
            (INFO, _l("L'argent public paie.")),
            (INFO, _l("C'est pour tout le monde.")),
        ),
    ),
)

MY_DATA = EasyPage(
    slug="mes-donnees",
    title=_l("Mes données"),
    extra={"icon": MAIL},
    sections=(
        E(
            _l("Ce que nous gardons"),
            (INFO, _l("Votre nom.")),
            (MAIL, _l("Votre mail ou votre téléphone.")),
            (CALENDAR, _l("Vos dates de rendez-vous.")),
            (INFO, _l("Nous ne notons pas votre maladie.")),
        ),
        E(
            _l("Qui les voit ?"),
            (USERS, _l("Seule votre équipe les voit.")),
            (INFO, _l("Nous ne les vendons pas.")),
        ),
        E(
            _l("Vos droits"),
            (MAIL, _l("Vous avez reçu un lien.")),
            (SEARCH, _l("Avec ce lien, vous voyez vos données.")),
            (INFO, _l("Vous pouvez aussi les effacer.")),
            (CLOCK, _l("Sans nouvelles de vous pendant %(retention)s, nous effaçons votre nom.")),
        ),
    ),
)

PAGES = (ETP, FIRST, GROUP, FREE, MY_DATA)

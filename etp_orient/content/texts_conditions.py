"""Texts of the short page per main condition (see texts_guide.py for the writing rules).

They say who a programme is for, what the workshops talk about, who runs them
and where: nothing about the illness itself that the seeds do not support.
"""

from flask_babel import lazy_gettext as _l

from .pages import LINKS, UL, P, Page, S

DIABETES = Page(
    slug="diabete",
    title=_l("Le diabète"),
    lead=_l("Vous avez du sucre dans le sang ? Des programmes existent pour vous."),
    summary=_l("Trop de sucre dans le sang."),
    condition="diabete",
    pictogram="conditions/diabete",
    sections=(
        S(
            _l("Pour qui ?"),
            P(
                _l(
                    "Souvent pour le diabète de l'adulte, dit de type 2. "
                    "Il existe aussi des programmes pour d'autres diabètes. "
                    "Le site vous montre ceux près de chez vous."
                )
            ),
        ),
        S(
            _l("De quoi parle-t-on ?"),
            P(_l("Les ateliers parlent de votre vie avec le diabète. Par exemple :")),
            UL(
                _l("Manger et faire les courses."),
                _l("Bouger à votre rythme."),
                _l("Vos traitements."),
                _l("Votre moral et vos soucis."),
            ),
            P(_l("Le groupe choisit aussi ses sujets.")),
        ),
        S(
            _l("Où ?"),
            P(
                _l(
                    "Dans des hôpitaux, des maisons de santé et des CES. "
                    "Certains programmes se font à distance."
                )
            ),
        ),
        S(
            _l("Vous êtes enceinte ?"),
            LINKS(("/comprendre/diabete-grossesse", _l("Le diabète pendant la grossesse"))),
        ),
    ),
)

GESTATIONAL = Page(
    slug="diabete-grossesse",
    title=_l("Le diabète pendant la grossesse"),
    lead=_l("Vous êtes enceinte et on vous parle de diabète ? Un programme peut vous aider."),
    summary=_l("Pour les femmes enceintes qui ont du diabète."),
    condition="diabete-gestationnel",
    pictogram="conditions/diabete-gestationnel",
    sections=(
        S(
            _l("Pour qui ?"),
            P(
                _l(
                    "Pour les femmes enceintes qui ont ce diabète. "
                    "On l'appelle aussi le diabète gestationnel."
                )
            ),
        ),
        S(
            _l("Une équipe autour de vous"),
            P(
                _l(
                    "Par exemple des sages-femmes, des médecins et des diététiciennes. "
                    "Parfois une IPA, ou un éducateur en APA."
                )
            ),
            P(
                _l(
                    "Des soignants de ville et de l'hôpital travaillent ensemble. "
                    "Une coordinatrice organise les dates."
                )
            ),
        ),
        S(
            _l("Les ateliers"),
            P(
                _l(
                    "Vous rencontrez d'autres futures mamans. "
                    "Vous parlez des repas, de bouger et de ce que vous vivez. "
                    "Vous posez toutes vos questions."
                )
            ),
        ),
    ),
)

BREATH = Page(
    slug="souffle",
    title=_l("Le souffle : asthme et bronches"),
    lead=_l("Vous manquez de souffle ? Vous avez de l'asthme ? Des programmes existent."),
    summary=_l("Asthme, souffle court, bronches abîmées."),
    condition="respiratoire",
    pictogram="conditions/respiratoire",
    sections=(
        S(
            _l("Pour qui ?"),
            UL(
                _l("Pour les personnes qui ont de l'asthme."),
                _l("Pour celles qui ont une BPCO. Les bronches sont abîmées."),
            ),
        ),
        S(
            _l("De quoi parle-t-on ?"),
            UL(
                _l("Votre souffle dans la vie de tous les jours."),
                _l("Vos traitements."),
                _l("Bouger à votre rythme."),
                _l("Le tabac, si vous voulez en parler."),
            ),
        ),
        S(
            _l("Où ?"),
            P(_l("Dans des CES, des hôpitaux et des maisons de santé. Parfois à distance.")),
        ),
    ),
)

HEART = Page(
    slug="coeur-tension",
    title=_l("Le cœur et la tension"),
    lead=_l("Vous avez de la tension ? On vous a parlé de votre cœur ? Des programmes existent."),
    summary=_l("Protéger son cœur, tension trop haute."),
    condition="cardio",
    pictogram="conditions/cardio",
    sections=(
        S(
            _l("Pour qui ?"),
            P(
                _l(
                    "Pour protéger votre cœur et vos artères. "
                    "Par exemple si vous avez trop de tension. "
                    "Ou si votre cœur est fatigué."
                )
            ),
        ),
        S(
            _l("De quoi parle-t-on ?"),
            UL(
                _l("Manger et bouger."),
                _l("Vos traitements."),
                _l("Le tabac et le stress."),
                _l("Vivre avec la maladie tous les jours."),
            ),
        ),
        S(
            _l("Où ?"),
            P(_l("Dans des CES et des maisons de santé. Aussi dans des CPTS et des hôpitaux.")),
        ),
    ),
)

CHILD_WEIGHT = Page(
    slug="poids-enfant",
    title=_l("Le poids de l'enfant"),
    lead=_l("Votre enfant a trop de poids ? Un programme peut vous aider, lui et vous."),
    summary=_l("Pour les enfants qui ont trop de poids, avec un parent."),
    condition="surpoids-enfant",
    pictogram="conditions/surpoids-enfant",
    sections=(
        S(
            _l("Pour qui ?"),
            P(_l("Pour les enfants, souvent de 6 à 12 ans. Un parent vient avec l'enfant.")),
        ),
        S(
            _l("Comment ça se passe ?"),
            P(
                _l(
                    "L'enfant et sa famille voient des soignants. "
                    "Ils parlent des repas, de bouger et de la vie à la maison. "
                    "Personne ne juge l'enfant ni sa famille."
                )
            ),
        ),
        S(
            _l("Pour un adulte ?"),
            P(
                _l(
                    "Des programmes existent aussi pour les adultes. "
                    "Et aussi après une opération de l'estomac."
                )
            ),
            LINKS(("/orientation?condition=poids", _l("Chercher un programme sur le poids"))),
        ),
    ),
)

KIDNEYS = Page(
    slug="reins",
    title=_l("Les reins"),
    lead=_l("Vos reins fonctionnent mal ? Des programmes peuvent vous aider."),
    summary=_l("Des reins qui fonctionnent mal."),
    condition="insuffisance-renale-chronique",
    pictogram="conditions/insuffisance-renale-chronique",
    sections=(
        S(
            _l("Où en est-on ?"),
            P(
                _l(
                    "Ces programmes sont encore peu nombreux. "
                    "D'autres vont ouvrir. Cherchez près de chez vous, ou à distance."
                )
            ),
        ),
        S(
            _l("De quoi parle-t-on ?"),
            P(
                _l(
                    "Comme pour toute maladie qui dure. "
                    "Vous apprenez à vivre avec, jour après jour. "
                    "Vous parlez de vos traitements et de vos questions."
                )
            ),
        ),
        S(
            _l("Rien près de chez vous ?"),
            P(
                _l(
                    "Le site vous montre les programmes plus loin, ou à distance. "
                    "Il donne aussi le contact de la plateforme de votre région."
                )
            ),
        ),
    ),
)

PAGES = (DIABETES, GESTATIONAL, BREATH, HEART, CHILD_WEIGHT, KIDNEYS)

"""Texts of the general plain-language pages (from the seeds, see docs/content.md).

Rules for whoever edits them: one idea per sentence, everyday words, at most
about 12 words a sentence; no abbreviation in a heading; nothing medical that
the source documents do not say. ``tests/content/test_readability.py`` measures
every page.
"""

from flask_babel import lazy_gettext as _l

from .pages import LINKS, OL, UL, P, Page, S

ETP = Page(
    slug="etp",
    title=_l("L'éducation thérapeutique, c'est quoi ?"),
    lead=_l("C'est une aide pour mieux vivre avec une maladie qui dure."),
    summary=_l("Ce que c'est, pour qui, et comment ça se passe."),
    pictogram="icons/info",
    easy=True,
    sections=(
        S(
            _l("Pour qui ?"),
            P(
                _l(
                    "Pour vous, si vous avez une maladie chronique. "
                    "Par exemple le diabète, l'asthme ou la tension. "
                    "Un proche peut venir avec vous."
                )
            ),
        ),
        S(
            _l("À quoi ça sert ?"),
            P(
                _l(
                    "On dit aussi ETP. Des soignants formés vous aident. "
                    "Vous apprenez à vivre au mieux avec votre maladie."
                )
            ),
            UL(
                _l("Avoir plus confiance en vous."),
                _l("Savoir quoi faire dans la vie de tous les jours."),
                _l("Éviter des soucis de santé plus tard."),
                _l("Faire vos propres choix pour votre santé."),
                _l("Vivre mieux, tout simplement."),
            ),
        ),
        S(
            _l("Comment ça se passe ?"),
            OL(
                _l("D'abord, un rendez-vous seul avec un soignant. C'est le BEP."),
                _l("Ensuite, des ateliers avec un petit groupe. Le groupe reste le même."),
                _l("À la fin, un bilan avec un soignant."),
                _l("Six mois plus tard, un rendez-vous de suivi."),
            ),
            P(_l("Tout cela forme un programme. Vous pouvez arrêter quand vous voulez.")),
            LINKS(
                ("/comprendre/premier-rendez-vous", _l("Le premier rendez-vous")),
                ("/comprendre/ateliers", _l("Les ateliers et le groupe")),
                ("/comprendre/bilan-et-suivi", _l("Le bilan de fin et le suivi")),
            ),
        ),
        S(
            _l("Qui vous aide ?"),
            P(
                _l(
                    "Une équipe d'au moins deux métiers différents. "
                    "Par exemple un médecin, une infirmière ou une diététicienne. "
                    "Tous ont suivi une formation pour cela."
                )
            ),
            P(_l("L'équipe travaille avec votre médecin traitant, si vous êtes d'accord.")),
        ),
        S(
            _l("Qui organise ?"),
            P(
                _l(
                    "Des hôpitaux, des maisons de santé et des centres de santé. "
                    "Des soignants de ville aussi, réunis en CPTS. "
                    "Chaque programme est déclaré à l'ARS."
                )
            ),
        ),
        S(
            _l("Combien ça coûte ?"),
            P(_l("C'est gratuit pour vous."), strong=True),
            LINKS(("/comprendre/gratuit", _l("Qui paie ?"))),
        ),
    ),
)

FIRST_APPOINTMENT = Page(
    slug="premier-rendez-vous",
    title=_l("Le premier rendez-vous"),
    lead=_l("Tout commence par un rendez-vous seul avec un soignant."),
    summary=_l("Un moment pour parler de vous et de ce que vous voulez."),
    pictogram="icons/calendar",
    easy=True,
    sections=(
        S(
            _l("Son nom"),
            P(_l("On l'appelle le BEP. C'est un moment pour parler de vous.")),
        ),
        S(
            _l("De quoi parle-t-on ?"),
            UL(
                _l("De votre vie de tous les jours."),
                _l("De ce qui est dur pour vous."),
                _l("De vos questions et de vos soucis."),
                _l("De ce que vous voulez changer."),
            ),
            P(
                _l(
                    "Puis vous fixez ensemble vos objectifs. Ce sont les vôtres. "
                    "Le soignant ne décide pas à votre place."
                )
            ),
        ),
        S(
            _l("Comment ça se passe ?"),
            UL(
                _l("Vous êtes seul avec le soignant."),
                _l("Ce n'est pas un examen. Il n'y a pas de bonne réponse."),
                _l("Il a lieu sur place, ou parfois par téléphone ou en vidéo."),
                _l("Un proche peut venir avec vous."),
            ),
        ),
        S(
            _l("Comment prendre rendez-vous ?"),
            OL(
                _l("Cherchez un programme près de chez vous."),
                _l("Choisissez un jour et une heure libres."),
                _l("Donnez votre nom et un moyen de vous joindre."),
                _l("Vous recevez un lien pour changer ou annuler."),
            ),
            P(_l("Vous n'avez pas besoin de compte.")),
        ),
        S(
            _l("Vous ne pouvez pas venir ?"),
            P(
                _l(
                    "Changez la date ou annulez avec votre lien. "
                    "Ainsi, une autre personne peut prendre la place."
                )
            ),
        ),
    ),
)

WORKSHOPS = Page(
    slug="ateliers",
    title=_l("Les ateliers et le groupe"),
    lead=_l("Après le premier rendez-vous, vous rejoignez un petit groupe."),
    summary=_l("Des rencontres en petit groupe, toujours avec les mêmes personnes."),
    pictogram="icons/users",
    easy=True,
    sections=(
        S(
            _l("Un atelier, c'est quoi ?"),
            P(
                _l(
                    "C'est une rencontre sur un thème. "
                    "Par exemple manger, bouger, les traitements ou le stress. "
                    "On parle, on essaie, on cherche des idées concrètes."
                )
            ),
        ),
        S(
            _l("Le même groupe du début à la fin"),
            P(
                _l(
                    "Vous suivez tous les ateliers avec les mêmes personnes. "
                    "Souvent, il y a trois à cinq ateliers. "
                    "Vous apprenez à vous connaître. On s'entraide."
                )
            ),
        ),
        S(
            _l("Ce que vous y faites"),
            UL(
                _l("Vous partagez ce que vous vivez."),
                _l("Vous écoutez les autres."),
                _l("Vous posez vos questions."),
                _l("Vous choisissez ensemble les sujets."),
                _l("Vous parlez seulement si vous le voulez."),
            ),
        ),
        S(
            _l("Qui anime ?"),
            P(
                _l(
                    "Souvent, deux soignants formés animent le groupe. "
                    "Parfois, un patient aide aussi. Il vit avec la même maladie."
                )
            ),
        ),
        S(
            _l("Les ateliers ouverts à tous"),
            P(
                _l(
                    "Certains ateliers sont ouverts à plusieurs programmes. "
                    "Par exemple un atelier sur le tabac. "
                    "Vous y voyez des personnes d'autres groupes."
                )
            ),
        ),
        S(
            _l("Les dates"),
            P(
                _l(
                    "Vous voyez toutes les dates avant de vous inscrire. "
                    "Vous pouvez les mettre dans votre agenda. "
                    "Si une date change, nous vous prévenons."
                )
            ),
            P(
                _l(
                    "Le groupe est complet ? Mettez-vous sur la liste d'attente. "
                    "Si une place se libère, vous êtes prévenu."
                )
            ),
        ),
    ),
)

FINAL = Page(
    slug="bilan-et-suivi",
    title=_l("Le bilan de fin et le suivi"),
    lead=_l("À la fin des ateliers, vous faites le point avec un soignant."),
    summary=_l("Faire le point à la fin, puis six mois plus tard."),
    pictogram="icons/clock",
    sections=(
        S(
            _l("Le bilan de fin"),
            P(
                _l(
                    "C'est un rendez-vous seul avec un soignant. "
                    "Vous parlez de ce que vous avez appris. "
                    "Vous parlez aussi de ce qui reste dur."
                )
            ),
            P(
                _l(
                    "Ensemble, vous choisissez la suite. "
                    "Par exemple un autre atelier, ou un autre programme."
                )
            ),
        ),
        S(
            _l("Le suivi à six mois"),
            P(
                _l(
                    "Six mois plus tard, vous revoyez un soignant. "
                    "Vous regardez ce qui a changé pour vous. "
                    "Vous pouvez encore poser vos questions."
                )
            ),
        ),
        S(
            _l("Et votre médecin ?"),
            P(
                _l(
                    "Si vous êtes d'accord, l'équipe prévient votre médecin traitant. "
                    "À la fin, elle lui envoie un résumé. Vous pouvez dire non."
                )
            ),
        ),
    ),
)

FREE = Page(
    slug="gratuit",
    title=_l("C'est gratuit"),
    lead=_l("Vous ne payez rien pour le programme."),
    summary=_l("Vous ne payez rien. Voici qui paie."),
    pictogram="icons/info",
    easy=True,
    sections=(
        S(
            _l("Ce qui est gratuit"),
            UL(
                _l("Le premier rendez-vous."),
                _l("Tous les ateliers du groupe."),
                _l("Le bilan de fin et le suivi."),
            ),
        ),
        S(
            _l("Qui paie ?"),
            P(
                _l(
                    "C'est l'argent public. L'ARS donne de l'argent aux équipes. "
                    "Dans les CES, c'est l'Assurance maladie qui paie."
                )
            ),
        ),
        S(
            _l("Pourquoi c'est gratuit ?"),
            P(
                _l(
                    "Ces programmes sont pour tout le monde. "
                    "Ils sont faits aussi pour ceux qui vont peu chez le médecin. "
                    "L'argent ne doit pas être un frein."
                )
            ),
        ),
        S(
            _l("Un doute ?"),
            P(
                _l(
                    "Posez la question au coordinateur du programme. Son contact est sur la page du programme."
                )
            ),
        ),
    ),
)

COMPANION = Page(
    slug="proche-interprete",
    title=_l("Venir avec un proche ou un interprète"),
    lead=_l("Vous pouvez venir accompagné."),
    summary=_l("Un proche, une autre langue, un handicap : dites-le."),
    pictogram="icons/accessibility",
    sections=(
        S(
            _l("Avec un proche"),
            P(
                _l(
                    "Un proche peut venir avec vous. "
                    "Par exemple votre conjoint, un enfant ou un ami. "
                    "Il vous aide à retenir et à poser vos questions."
                )
            ),
            P(_l("Pour un enfant, un parent vient avec lui.")),
        ),
        S(
            _l("Vous parlez peu le français ?"),
            P(
                _l(
                    "Dites-le quand vous réservez. Il y a une case pour vos besoins. "
                    "L'équipe cherche alors une solution avec vous."
                )
            ),
            P(
                _l(
                    "Un proche peut traduire pour vous. Parfois, un interprète peut venir. "
                    "Certains programmes se font dans d'autres langues. "
                    "Demandez au contact du programme."
                )
            ),
        ),
        S(
            _l("Vous avez un handicap ?"),
            P(
                _l(
                    "Dites-le aussi dans la case des besoins. "
                    "Par exemple un fauteuil roulant, la vue ou l'ouïe. "
                    "La page du programme dit si on entre sans marche."
                )
            ),
        ),
        S(
            _l("Vous lisez avec peine ?"),
            P(
                _l(
                    "Ce n'est pas un problème. Dans les ateliers, on parle et on échange. "
                    "Certaines pages existent aussi en version facile."
                )
            ),
            LINKS(("/comprendre/facile/", _l("Les pages faciles à lire"))),
        ),
    ),
)

REMOTE = Page(
    slug="a-distance",
    title=_l("Les séances à distance"),
    lead=_l("Certains rendez-vous et ateliers se font à distance."),
    summary=_l("Depuis chez vous, par téléphone ou en vidéo."),
    pictogram="icons/video",
    sections=(
        S(
            _l("À distance, c'est quoi ?"),
            P(
                _l(
                    "Vous restez chez vous. Vous parlez au soignant par téléphone ou en vidéo. "
                    "En vidéo, vous voyez aussi le groupe."
                )
            ),
        ),
        S(
            _l("Ce qu'il faut"),
            UL(
                _l("Un téléphone, ou un ordinateur avec internet."),
                _l("Pour la vidéo, une caméra et un micro. La plupart des téléphones en ont."),
                _l("Un endroit calme."),
            ),
        ),
        S(
            _l("Comment savoir ?"),
            P(
                _l(
                    "La page de chaque programme dit si c'est possible. "
                    "Dans les résultats, les programmes à distance sont à part. "
                    "Ils sont ouverts où que vous habitiez."
                )
            ),
            P(
                _l(
                    "Certains programmes mélangent les deux. "
                    "Une partie se fait sur place, une autre à distance."
                )
            ),
        ),
        S(
            _l("Le jour venu"),
            P(
                _l(
                    "Vous recevez le lien de la vidéo avant la séance. "
                    "Vous avez du mal avec la vidéo ? Dites-le à l'équipe."
                )
            ),
        ),
    ),
)

MY_DATA = Page(
    slug="mes-donnees",
    title=_l("Mes données et mes droits"),
    lead=_l("Nous gardons le moins de choses possible sur vous."),
    summary=_l("Ce que nous gardons, combien de temps, et vos droits."),
    pictogram="icons/info",
    easy=True,
    sections=(
        S(
            _l("Ce que nous gardons"),
            UL(
                _l("Votre prénom et votre nom."),
                _l("Votre année de naissance."),
                _l("Votre e-mail ou votre téléphone."),
                _l("Votre langue et vos besoins, si vous les donnez."),
                _l("Vos rendez-vous et vos groupes."),
                _l("Vos accords, avec leur date."),
            ),
            P(
                _l(
                    "Nous ne notons pas votre maladie. "
                    "Mais le nom du programme peut la laisser deviner."
                )
            ),
        ),
        S(
            _l("Pourquoi ?"),
            UL(
                _l("Pour vous donner vos rendez-vous."),
                _l("Pour vous prévenir si une date change."),
                _l("Pour prévenir votre médecin traitant, si vous êtes d'accord."),
            ),
        ),
        S(
            _l("Qui les voit ?"),
            P(
                _l(
                    "Seule l'équipe de votre programme les voit. "
                    "Une équipe ne voit pas les patients des autres. "
                    "Nous ne vendons pas vos données."
                )
            ),
        ),
        S(
            _l("Combien de temps ?"),
            P(
                _l(
                    "Nous les gardons %(retention)s après votre dernier contact avec nous. "
                    "Ensuite, nous effaçons votre nom et vos moyens de contact."
                )
            ),
            P(
                _l(
                    "Nous gardons des chiffres sans nom, pour compter. "
                    "Par exemple votre année de naissance, seule."
                )
            ),
        ),
        S(
            _l("Vos droits"),
            P(_l("La loi vous donne des droits. C'est le RGPD.")),
            UL(
                _l("Voir vos données."),
                _l("Les télécharger dans un fichier."),
                _l("Les faire corriger."),
                _l("Les effacer."),
                _l("Retirer votre accord à tout moment."),
            ),
        ),
        S(
            _l("Comment faire ?"),
            OL(
                _l("Ouvrez le lien reçu quand vous avez réservé."),
                _l("Choisissez « Mes données »."),
                _l("Vous pouvez tout voir, le télécharger ou l'effacer."),
            ),
            P(_l("Sur la même page, vous pouvez aussi retirer un accord.")),
            P(_l("Vous avez perdu votre lien ? Demandez-en un nouveau avec votre e-mail.")),
            LINKS(("/gerer/nouveau-lien", _l("Recevoir un nouveau lien"))),
            P(_l("Une donnée est fausse ? Écrivez à l'équipe du programme.")),
        ),
        S(
            _l("Votre agenda"),
            P(
                _l(
                    "Vous pouvez mettre vos dates dans votre agenda. "
                    "Leur titre ne dit pas votre maladie. "
                    "Il reste discret sur l'écran de votre téléphone."
                )
            ),
        ),
        S(
            _l("Les cookies"),
            P(
                _l(
                    "Ce site garde seulement votre langue et de quoi protéger les formulaires. "
                    "Il n'y a pas de publicité. Personne ne vous suit."
                )
            ),
        ),
        S(
            _l("Un souci ?"),
            P(
                _l(
                    "Écrivez d'abord à l'équipe du programme. Vous pouvez aussi vous plaindre à la CNIL."
                )
            ),
            LINKS(("https://www.cnil.fr/fr/plaintes", _l("Le site de la CNIL"))),
        ),
    ),
)

PAGES = (ETP, FIRST_APPOINTMENT, WORKSHOPS, FINAL, FREE, COMPANION, REMOTE, MY_DATA)

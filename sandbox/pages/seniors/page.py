"""Seniors: where the needs are (territory mode) and whom to visit first within a capacity (person mode)."""

import streamlit as st

from sandbox.ui import explain, page_header
from sandbox.pages.seniors.persons import person_mode
from sandbox.pages.seniors.territory import territory_mode

KEY = "seniors"
TERRITORY = "Territoire : où sont les besoins ?"
PERSONS = "Personnes : qui visiter d'abord ?"

page_header(
    "Seniors : repérer les besoins d'accompagnement",
    "Un CCAS ne peut pas rendre visite à toutes les personnes âgées : il doit aller d'abord vers les plus isolées, "
    "pauvres ou fragiles, **avant** la crise. L'IA combine des indicateurs publics pour situer les besoins par commune, "
    "et, sur le fichier du CCAS, estime pour chaque personne un risque d'hospitalisation ou d'entrée en établissement "
    "pour proposer une liste de visites dans la capacité disponible — une **aide à la décision**, validée par un agent.",
    demo=KEY,
)

mode = st.radio(
    "Mode",
    [TERRITORY, PERSONS],
    horizontal=True,
    key=f"{KEY}.mode",
    captions=["données agrégées, aucune donnée personnelle", "fichier nominatif : données personnelles et de santé"],
)
if mode == PERSONS:
    person_mode(KEY)
else:
    territory_mode(KEY)

HOW = """
**Mode territoire.** Chaque indicateur est orienté pour qu'une valeur haute signale plus de besoins, puis ramené à
une échelle commune : **score z** (écart à la moyenne, en écarts-types), **rang centile** (0 à 100, insensible aux
valeurs extrêmes) ou **min-max** (0 pour la commune la plus basse, 100 pour la plus haute). L'indice est la moyenne
pondérée de ces valeurs, avec vos poids. L'option **ACP** prend à la place la première composante principale : les
poids viennent des corrélations entre indicateurs. La **robustesse** refait le classement 500 fois en multipliant
chaque poids par un facteur tiré au hasard (par exemple entre 0,5 et 1,5) et compte combien de fois chaque commune
reste dans le top 10 (pour l'ACP, on rééchantillonne les communes).

**Mode personnes.** Le modèle apprend, sur les personnes dont le résultat est connu, le lien entre leur situation
(âge, vit seul·e, GIR s'il est connu, hospitalisation ou chute récente, revenus, mois sans contact, étage sans
ascenseur) et l'événement à prévenir. Trois quarts des personnes servent à apprendre, un quart est **mis de côté**
pour mesurer. Deux modèles sont comparés : la **régression logistique** (un poids par facteur, facile à expliquer) et le
**gradient boosting** (des centaines de petits arbres de décision, qui captent les combinaisons de facteurs). Leurs
probabilités sont **recalibrées** par validation croisée pour qu'un risque annoncé de 30 % corresponde à 30 % de
personnes ayant eu l'événement (courbe de calibration). Le choix automatique se fait sur les seules données
d'apprentissage ; la régression logistique est gardée sauf si le boosting fait nettement mieux. Le sexe et la commune
ne servent **pas** à estimer le risque : seulement au bilan d'équité.

**La liste.** Les N personnes au risque le plus élevé ; les ex æquo sont départagés par **tirage au sort** (graine
affichée) ; la réserve suit dans l'ordre. Avec une part minimale par commune, chaque commune reçoit d'abord ses
visites garanties (ses risques les plus élevés), le reste va aux risques les plus élevés de toute la liste.

**Facteurs principaux.** Pour chaque facteur, le risque est recalculé comme si la personne ne l'avait pas (ne vivait
pas seule, n'avait pas chuté…), les autres restant identiques : l'écart, en points, est la part de ce facteur.

**Les chiffres.** Sur les personnes mises de côté, à proportion égale de visites : combien de personnes ayant eu
l'événement la liste du modèle contient, contre la **règle simple** « 85 ans et plus vivant seul » (les plus âgés
d'abord, puis les autres par âge) et contre le **hasard**. Le bilan d'équité signale un taux de sélection hors de 0,8
à 1,25 fois le taux global (règle des quatre cinquièmes) et un **rappel** qui s'écarte de plus de 10 points du rappel
global, pour les groupes d'au moins 30 personnes.
"""

LIMITS = """
**Haut risque au sens du règlement européen sur l'IA.** Un système utilisé par une autorité publique pour évaluer
l'accès de personnes à des prestations et services d'aide sociale essentiels relève de l'**annexe III, point 5 a)**
du règlement (UE) 2024/1689 : contrôle humain effectif (art. 14), analyse d'impact sur les droits fondamentaux pour
les organismes publics (art. 27), documentation et journalisation. Cette démonstration n'est pas un système conforme :
elle sert à comprendre et à mesurer avant un projet.

**Données de santé (RGPD).** Hospitalisations, chutes et GIR sont des données de santé, catégorie particulière de
l'**article 9** du RGPD : base légale spécifique, analyse d'impact (AIPD, art. 35) pour ce profilage de personnes
vulnérables, information des personnes, données réduites au nécessaire. Aucune décision ne doit être fondée
exclusivement sur le score (art. 22). Le **registre canicule** (art. L121-6-1 du code de l'action sociale et des
familles) a pour finalité exclusive le plan d'alerte et d'urgence : il ne peut pas être réutilisé pour ce repérage.

**Droit à l'explication.** Une décision individuelle prise sur le fondement d'un traitement algorithmique le
mentionne explicitement et, sur demande, l'administration en communique les règles (art. **L311-3-1** du code des
relations entre le public et l'administration) : degré et mode de contribution du traitement, données traitées et
leurs sources, paramètres et leur pondération appliqués à la situation de la personne, opérations effectuées
(art. R311-3-1-2). La rubrique « Expliquer la situation d'une personne » donne ces éléments.

**La grille AGGIR n'est pas recalculée.** Le GIR est évalué par l'équipe médico-sociale selon une grille
réglementaire ; ici, un GIR connu n'est qu'une donnée d'entrée, et un GIR inconnu reste « inconnu ».

**Ce que le modèle ne voit pas.** Les personnes absentes du fichier, souvent les plus isolées ; un modèle appris sur
le passé reproduit les repérages passés (l'événement n'est observé que chez les personnes suivies) ; une
hospitalisation n'est pas un besoin d'aide. Le risque individuel reste incertain (voir l'erreur de calibration).
Par territoire, l'indice dépend des indicateurs, des poids et de la normalisation choisis, et une moyenne communale
cache des quartiers très différents : un indice élevé ne dit rien d'une personne en particulier.

**Exports pseudonymisés.** La liste exportée remplace l'identité par un pseudonyme (empreinte HMAC-SHA256 avec une
clé secrète) et l'âge par une tranche : elle reste une donnée personnelle. La table de correspondance se garde à part,
au CCAS. Les données d'exemple sont entièrement synthétiques.
"""

explain(HOW, LIMITS)

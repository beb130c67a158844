"""Messages to households, from templates: leak alert, comparison with similar homes, a tip, the saving at stake.

The rules come from the field trials of home water and energy reports:

* the social comparison (« similar homes use… ») is **always** paired with
  an approving signal for households already below the average, so that
  they do not drift up towards it — the « boomerang effect » measured by
  Schultz et al. (2007), « The constructive, destructive, and reconstructive
  power of social norms », *Psychological Science* 18(5) ;
* a leak alert comes first when there is one, with the litres and euros at stake ;
* a tip fitted to the household's profile, and the saving at stake ;
* never a blaming tone: no « trop », no « gaspillage », nothing about the
  household being « bad » — the figures and an easy next step;
* no comparison when there are not enough similar homes.

Two channels: a letter (or e-mail) and an SMS (short, plain characters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.water.leaks import LeakReport
from sandbox.models.water.peers import ABOVE, BELOW, EFFICIENT, PeerComparison
from sandbox.models.water.prices import DEFAULT_PRICE_EUR_M3
from sandbox.models.water.segments import ProfileSegmenter
from sandbox.text import NBSP, NNBSP, num
from sandbox.text import typography

LETTER = "courrier"
SMS = "SMS"
SENDER = "Le service de l'eau de votre commune"

# Segment name → (tip for a letter, tip for an SMS)
TIPS = {
    "Pic du matin": (
        "le matin, une pomme de douche économe (6 à 8 litres par minute au lieu de 12 à 15) réduit presque "
        "de moitié l'eau de chaque douche, sans perte de confort.",
        "une pomme de douche économe divise presque par 2 l'eau de chaque douche.",
    ),
    "Pic du soir": (
        "le soir, lancez le lave-vaisselle et le lave-linge seulement lorsqu'ils sont pleins, en programme éco : "
        "un lave-vaisselle récent utilise moins d'eau qu'une vaisselle à la main.",
        "lancez lave-linge et lave-vaisselle pleins, en programme éco.",
    ),
    "Deux pics, matin et soir": (
        "fermez le robinet pendant le brossage des dents ou le rasage : un robinet ouvert laisse couler "
        "plusieurs litres par minute.",
        "fermez le robinet pendant le brossage des dents.",
    ),
    "Présence en journée": (
        "des mousseurs (aérateurs) sur les robinets de la cuisine et de la salle de bains réduisent le débit "
        "sans gêner l'usage ; ils coûtent quelques euros.",
        "un mousseur sur chaque robinet réduit le débit sans changer vos habitudes.",
    ),
    "Usages de nuit": (
        "vérifiez qu'aucun appareil ne consomme la nuit sans raison (adoucisseur, arrosage automatique, "
        "chasse d'eau qui coule) : relevez le compteur le soir et le matin, sans utiliser d'eau entre les deux.",
        "relevez le compteur le soir et le matin : s'il a tourné la nuit, cherchez la cause.",
    ),
    "Arrosage l'été": (
        "arrosez le soir ou tôt le matin, quand l'eau s'évapore moins, au pied des plantes plutôt qu'en pluie ; "
        "un récupérateur d'eau de pluie fournit une bonne part de l'eau du jardin.",
        "arrosez le soir, au pied des plantes, et récupérez l'eau de pluie.",
    ),
}
DEFAULT_TIP = (
    "une chasse d'eau à double commande et des mousseurs sur les robinets sont les gestes les plus simples "
    "pour consommer moins sans perdre en confort.",
    "un mousseur sur les robinets réduit le débit sans changer vos habitudes.",
)

# Words a message never uses (tone check, also used by the tests).
BLAMING_WORDS = ("trop", "gaspill", "excessi", "mauvais", "irresponsable", "anormal", "abus", "faute")

APPROVAL = "Bravo : vous consommez moins que la moyenne des foyers semblables au vôtre. ☺"
APPROVAL_EFFICIENT = "Vous faites partie des foyers les plus économes : merci, continuez ainsi ! ☺"


@dataclass(frozen=True)
class MessageSet:
    """The messages of a campaign.

    Attributes
    ----------
    table : DataFrame
        ``compteur``, ``canal`` (« courrier » or « SMS »), ``texte``.
    parts : DataFrame
        One row per meter: what its message contains (``fuite``, ``comparaison``,
        ``approbation``, ``conseil``, ``economie_eur``) — for checks and figures.
    """

    table: pd.DataFrame
    parts: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``messages.csv`` export: meter, channel, text."""
        return self.table

    def for_meter(self, meter: str) -> dict[str, str]:
        rows = self.table[self.table["compteur"] == meter]
        return dict(zip(rows["canal"], rows["texte"]))


GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")
GSM_ALL = GSM_BASIC | GSM_EXTENDED


def sms_segments(text: str) -> int:
    """Number of SMS needed (GSM 7-bit: 160 characters, or 153 per part; otherwise UCS-2: 70, or 67).

    >>> sms_segments("Bonjour"), sms_segments("x" * 161), sms_segments("Fenêtre")
    (1, 2, 1)
    """
    if set(text) <= GSM_ALL:
        length = len(text) + sum(text.count(c) for c in GSM_EXTENDED)
        return 1 if length <= 160 else math.ceil(length / 153)
    return 1 if len(text) <= 70 else math.ceil(len(text) / 67)


def _plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def _litres(x: float) -> str:
    """Litres rounded to 5 (10 above 200) so that messages do not pretend to a false precision."""
    step = 10 if x >= 200 else 5
    return num(max(step, round(x / step) * step))


def _euros(x: float) -> str:
    return num(round(x)) if x >= 10 else num(x, 0 if x >= 1 else 1)


def compose_messages(
    meters: np.ndarray | list[str],
    *,
    peers: PeerComparison | None = None,
    leaks: LeakReport | None = None,
    segments: ProfileSegmenter | None = None,
    price_eur_m3: float = DEFAULT_PRICE_EUR_M3,
    sender: str = SENDER,
    channels: tuple[str, ...] = (LETTER, SMS),
) -> MessageSet:
    """Write the letter and the SMS of each household.

    Parameters
    ----------
    meters : list of str
        The households to write to (meters that could be analysed).
    peers : PeerComparison, optional
        Without it (or without enough peers), no comparison is made.
    leaks : LeakReport, optional
        An ongoing leak alert puts the leak first.
    segments : ProfileSegmenter, optional
        Chooses the tip.
    price_eur_m3 : float
    sender : str
        Signature of the letter.
    channels : tuple
        « courrier » and/or « SMS ».

    Returns
    -------
    MessageSet

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"compteur": ["A"], "litres_jour": [180.0], "groupe": ["foyers de 2 personnes"],
    ...     "pairs": [40], "moyenne": [250.0], "econome": [170.0], "position": ["sous la moyenne"],
    ...     "comparable": [True], "raison": [""]})
    >>> peers = PeerComparison(table, (pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-30")), 20)
    >>> text = compose_messages(["A"], peers=peers).for_meter("A")["courrier"]
    >>> "Bravo" in text and "250" in text
    True
    """
    peer_rows = {}
    if peers is not None:
        for rec in peers.table.to_dict("records"):
            peer_rows[str(rec["compteur"])] = rec
    leak_of = {}
    if leaks is not None:
        for alert in leaks.alerts:
            if alert.ongoing:
                leak_of[alert.meter] = alert
    period = peers.period_days if peers is not None else 0
    rows, parts = [], []
    for meter in map(str, meters):
        leak = leak_of.get(meter)
        peer = peer_rows.get(meter)
        comparable = bool(peer and peer.get("comparable"))
        segment = segments.segment_of(meter) if segments is not None else None
        tip_letter, tip_sms = TIPS.get(segment or "", DEFAULT_TIP)
        paragraphs = []
        saving = 0.0
        if leak is not None:
            paragraphs.append(
                f"Votre compteur n°{NBSP}{meter} enregistre un écoulement d'eau continu depuis le "
                f"{leak.start:%d/%m/%Y}, y compris la nuit : environ {_litres(leak.litres_per_day)} litres par jour, "
                f"soit près de {_euros(leak.cost_per_year)}{NBSP}€ par an si rien ne change. C'est souvent une chasse "
                "d'eau ou un robinet qui fuit. Pour vérifier : fermez tous les robinets, notez l'index du compteur, "
                "puis relisez-le une heure plus tard sans utiliser d'eau ; s'il a avancé, une fuite est probable et "
                "un plombier pourra la trouver. Nous pouvons aussi vous aider : contactez-nous."
            )
            saving += leak.cost_per_year
        approving = False
        if comparable:
            value, mean, p20 = float(peer["litres_jour"]), float(peer["moyenne"]), float(peer["econome"])
            paragraphs.append(
                f"Sur les {num(period)} derniers jours, votre foyer a utilisé en moyenne {_litres(value)} litres "
                f"d'eau par jour. Les {peer['groupe']} semblables au vôtre en utilisent en moyenne {_litres(mean)}, "
                f"et les 20{NBSP}% les plus économes d'entre eux {_litres(p20)}."
            )
            if peer["position"] in (EFFICIENT, BELOW):
                approving = True
                paragraphs.append(APPROVAL_EFFICIENT if peer["position"] == EFFICIENT else APPROVAL)
        paragraphs.append(f"Un conseil pour votre foyer : {tip_letter}")
        if comparable and leak is None:  # with a leak, the saving at stake is the leak
            if peer["position"] == ABOVE:
                gain = (value - mean) * 365 / 1000
                paragraphs.append(
                    f"En vous rapprochant de la moyenne des foyers semblables, vous économiseriez environ "
                    f"{num(gain, 0 if gain >= 10 else 1)}{NBSP}m³ d'eau, soit {_euros(gain * price_eur_m3)}{NBSP}€ par an."
                )
                saving += gain * price_eur_m3
            elif peer["position"] == BELOW:
                gain = (value - p20) * 365 / 1000
                paragraphs.append(
                    f"Rejoindre les 20{NBSP}% de foyers les plus économes représenterait encore environ "
                    f"{_euros(gain * price_eur_m3)}{NBSP}€ d'économie par an."
                )
                saving += gain * price_eur_m3
        letter = typography("Madame, Monsieur,\n\n" + "\n\n".join(paragraphs) + f"\n\nAvec nos salutations,\n{sender}")
        sms = _sms(meter, leak, peer if comparable else None, approving, tip_sms, period, price_eur_m3)
        if LETTER in channels:
            rows.append({"compteur": meter, "canal": LETTER, "texte": letter})
        if SMS in channels:
            rows.append({"compteur": meter, "canal": SMS, "texte": sms})
        parts.append(
            {
                "compteur": meter,
                "fuite": leak is not None,
                "comparaison": comparable,
                "approbation": approving,
                "position": peer["position"] if comparable else "",
                "conseil": segment or "général",
                "economie_eur": round(saving, 2),
                "segments_sms": sms_segments(sms),
            }
        )
    return MessageSet(
        pd.DataFrame(rows, columns=["compteur", "canal", "texte"]),
        pd.DataFrame(parts, columns=["compteur", "fuite", "comparaison", "approbation", "position", "conseil",
                                     "economie_eur", "segments_sms"]),
    )


def _sms(meter, leak, peer, approving, tip, period, price) -> str:
    if leak is not None:
        text = (
            f"Service de l'eau : votre compteur {meter} indique un écoulement continu depuis le "
            f"{leak.start:%d/%m} (environ {_litres(leak.litres_per_day)} L/jour, {_euros(leak.cost_per_year)} €/an). "
            "Vérifiez chasse d'eau et robinets."
        )
    elif peer is not None:
        value, mean = float(peer["litres_jour"]), float(peer["moyenne"])
        if approving:
            text = (
                f"Bravo ! {_litres(value)} L/jour ces {num(period)} jours, moins que des foyers semblables "
                f"({_litres(mean)} L/jour). Astuce : {tip}"
            )
        else:
            gain = (value - mean) * 365 / 1000 * price
            text = (
                f"Votre foyer : {_litres(value)} L/jour ces {num(period)} jours, des foyers semblables : "
                f"{_litres(mean)} L/jour. Astuce : {tip} Gain possible : {_euros(gain)} €/an."
            )
    else:
        text = f"Service de l'eau, astuce : {tip}"
    return _plain(text)

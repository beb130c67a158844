"""Campaign simulator: what home water reports would save, and how many homes prove it.

The expected effect comes from published randomised trials of home water
reports (social comparison letters); a share of the targeted homes is kept
as a control group, so that the saving can be measured rather than assumed.
The sample size is the classic one for comparing two means, with the
household's own past consumption as covariate (which removes most of the
differences between homes: ANCOVA, variance × (1 − ρ²)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from sandbox.models.water.prices import DEFAULT_PRICE_EUR_M3
from sandbox.text import NBSP, num, pct
from sandbox.text import typography

DEFAULT_EFFECT = 0.05
"""Default expected reduction of consumption (5 %), the order of magnitude of the trials below."""

EFFECT_SOURCES = tuple(typography(s) for s in (
    "Ferraro et Price (2013), « Using Nonpecuniary Strategies to Influence Behavior: Evidence from a Large-Scale "
    "Field Experiment », Review of Economics and Statistics 95(1) : plus de 100 000 foyers du comté de Cobb "
    "(Géorgie) ; la lettre avec comparaison sociale est celle qui réduit le plus la consommation (de l'ordre de "
    "5 % l'été qui suit), surtout chez les gros consommateurs, et l'effet s'atténue avec le temps.",
    "East Bay Municipal Utility District (Californie), programme pilote de rapports WaterSmart évalué en 2013–2014 : "
    "environ 5 % d'eau économisée sur un an par 10 000 foyers recevant une comparaison avec des foyers semblables.",
    "Schultz, Javey et Sorokina (2019), « Social Comparison as a Tool to Promote Residential Water Conservation », "
    "Frontiers in Water 1 : −8,35 % sur les six mois suivants à Sacramento, davantage chez les gros consommateurs.",
))


@dataclass(frozen=True)
class CampaignResult:
    """What a campaign of home water reports would save, and whether it could be measured.

    Attributes
    ----------
    n_target, n_treated, n_control : int
        Homes targeted, receiving the messages, kept as control group.
    effect, control_share, price_eur_m3 : float
    baseline_m3_year : float
        Yearly consumption of the homes receiving the messages, without campaign.
    saved_m3_year, saved_eur_year : float
    sd_l_day : float
        Spread of consumption between the targeted homes (litres per day).
    rho : float
        Correlation of a home's consumption between the two halves of the data (covariate).
    n_required : int
        Homes needed in total (messages + control) to detect the effect.
    mde : float
        Smallest effect detectable with the homes targeted and this control share.
    alpha, power : float
    """

    n_target: int
    n_treated: int
    n_control: int
    effect: float
    control_share: float
    price_eur_m3: float
    baseline_m3_year: float
    saved_m3_year: float
    saved_eur_year: float
    sd_l_day: float
    rho: float
    n_required: int
    mde: float
    alpha: float
    power: float

    @property
    def detectable(self) -> bool:
        return self.n_control > 0 and self.n_target > 0 and self.n_target >= self.n_required

    def to_frame(self) -> pd.DataFrame:
        rows = [
            ("Foyers ciblés", num(self.n_target)),
            ("Foyers recevant les messages", num(self.n_treated)),
            ("Foyers témoins", num(self.n_control)),
            ("Effet attendu", pct(self.effect)),
            ("Consommation des foyers destinataires", f"{num(self.baseline_m3_year)}{NBSP}m³/an"),
            ("Eau économisée", f"{num(self.saved_m3_year)}{NBSP}m³/an"),
            ("Économie pour les foyers", f"{num(self.saved_eur_year)}{NBSP}€/an"),
            ("Foyers nécessaires pour mesurer l'effet", num(self.n_required)),
            ("Plus petit effet mesurable", pct(self.mde)),
        ]
        return pd.DataFrame(rows, columns=["indicateur", "valeur"])

    def verdict(self) -> str:
        """French sentence on whether the effect could be measured."""
        return typography(self._verdict())

    def _verdict(self) -> str:
        if self.n_target == 0:
            return "Aucun foyer ne correspond à cette cible."
        if self.n_control == 0:
            return (
                "Sans groupe témoin, l'économie ne pourra pas être mesurée : on ne saura pas ce qui revient "
                "à la campagne et ce qui revient à la météo ou aux prix."
            )
        if self.detectable:
            return (
                f"Avec {num(self.n_target)} foyers, un effet de {pct(self.effect)} sera mesurable "
                f"(il en faut {num(self.n_required)} ; risque d'erreur {pct(self.alpha, 0)}, puissance {pct(self.power, 0)})."
            )
        return (
            f"Avec {num(self.n_target)} foyers, un effet de {pct(self.effect)} ne se distinguerait pas du hasard : "
            f"il faudrait {num(self.n_required)} foyers, ou viser un effet d'au moins {pct(self.mde)}."
        )


def simulate_campaign(
    litres_per_day: np.ndarray,
    *,
    effect: float = DEFAULT_EFFECT,
    control_share: float = 0.2,
    price_eur_m3: float = DEFAULT_PRICE_EUR_M3,
    before: np.ndarray | None = None,
    after: np.ndarray | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> CampaignResult:
    """Savings and sample size of a home water report campaign.

    Parameters
    ----------
    litres_per_day : array
        Average consumption of each targeted home (litres per day).
    effect : float
        Expected relative reduction (0.05 = 5 %); see ``EFFECT_SOURCES``.
    control_share : float
        Share of the targeted homes kept as control group (no message).
    price_eur_m3 : float
    before, after : array, optional
        Consumption of the same homes over two periods, to estimate how well
        the past predicts the future (ρ); without them ρ = 0 (cautious).
    alpha, power : float
        Two-sided test level and power.

    Returns
    -------
    CampaignResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> use = rng.lognormal(np.log(250), 0.5, 2000)
    >>> res = simulate_campaign(use, effect=0.05, control_share=0.2)
    >>> res.n_treated, res.n_control, round(res.saved_m3_year / res.baseline_m3_year, 3)
    (1600, 400, 0.05)
    >>> res.detectable
    False
    """
    values = np.asarray(litres_per_day, dtype=float)
    values = values[np.isfinite(values)]
    if not 0 <= control_share < 1:
        raise ValueError("control_share must be in [0, 1)")
    n = len(values)
    n_control = int(round(n * control_share))
    n_treated = n - n_control
    mean = float(values.mean()) if n else 0.0
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    rho = 0.0
    if before is not None and after is not None:
        b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
        ok = np.isfinite(b) & np.isfinite(a)
        if ok.sum() >= 10 and np.std(b[ok]) > 0 and np.std(a[ok]) > 0:
            rho = float(np.clip(np.corrcoef(b[ok], a[ok])[0, 1], 0.0, 0.99))
    baseline = mean * n_treated * 365 / 1000
    saved = baseline * effect
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    resid = sd**2 * (1 - rho**2)
    split = control_share * (1 - control_share)
    delta = effect * mean
    if delta > 0 and split > 0:
        n_required = int(np.ceil(z**2 * resid / (delta**2 * split)))
        # At least a few homes in each group, whatever the formula says for identical homes.
        n_required = max(n_required, int(np.ceil(2 / min(control_share, 1 - control_share))))
    else:
        n_required = 10**9
    if n > 0 and split > 0 and mean > 0:
        mde = float(z * np.sqrt(resid / (n * split)) / mean)
    else:
        mde = float("inf")
    return CampaignResult(
        n_target=n,
        n_treated=n_treated,
        n_control=n_control,
        effect=effect,
        control_share=control_share,
        price_eur_m3=price_eur_m3,
        baseline_m3_year=baseline,
        saved_m3_year=saved,
        saved_eur_year=saved * price_eur_m3,
        sd_l_day=sd,
        rho=rho,
        n_required=n_required,
        mde=mde,
        alpha=alpha,
        power=power,
    )

"""Water-consumption nudges: data quality, leaks, unusual days, profiles, peers, messages, campaign.

From smart-meter readings (a volume per interval or a cumulative index,
hourly, irregular or daily) to the messages a water service would send,
and what a campaign would save. Every step is a plain function or an
estimator returning a result object with ``to_frame()``:

>>> from sandbox.models.water import Readings, analyse
>>> readings = Readings.from_arrays(["A"] * 3, ["2025-03-01 01:00", "2025-03-01 02:00", "2025-03-01 03:00"], [0, 2, 0])

* :class:`Readings` – compact readings from a validated table;
* :func:`build_series` – index or volumes, litres or m³, to a regular grid (:class:`MeterSeries`);
* :func:`quality_report` / :func:`clean_series` – gaps, stuck and frozen meters, steps back, duplicates, roll-overs;
* :func:`detect_leaks` – continuous night flow over several nights (:class:`LeakReport`);
* :func:`unusual_days` – days far from the household's habits, with the reason;
* :class:`ProfileSegmenter` – named segments of typical daily curves;
* :func:`compare_peers` – each household against similar ones (average, efficient 20 %);
* :func:`compose_messages` – letter and SMS from templates;
* :func:`simulate_campaign` – m³ and € saved, control group, sample size;
* :func:`analyse` – the whole chain (:class:`WaterAnalysis`), as the page and the command line run it.
"""

from sandbox.models.water._readings import Readings, ReadingsBuilder
from sandbox.models.water._series import Conversion, MeterSeries, build_series, detect_kind
from sandbox.models.water.analysis import BILLING_DELAY_DAYS, Prepared, WaterAnalysis, WaterParams, analyse, prepare
from sandbox.models.water.anomalies import UnusualDays, unusual_days
from sandbox.models.water.campaign import DEFAULT_EFFECT, EFFECT_SOURCES, CampaignResult, simulate_campaign
from sandbox.models.water.leaks import LeakAlert, LeakReport, detect_leaks
from sandbox.models.water.messages import BLAMING_WORDS, MessageSet, compose_messages, sms_segments
from sandbox.models.water.peers import PeerComparison, compare_peers, consumption
from sandbox.models.water.prices import DEFAULT_PRICE_EUR_M3, PRICE_SOURCE_FR
from sandbox.models.water.quality import QualityReport, clean_series, quality_report
from sandbox.models.water.segments import ProfileSegmenter

METHOD_SUMMARY_FR = (
    "Les relevés des compteurs communicants sont d'abord contrôlés : lacunes, compteurs bloqués ou figés, "
    "index qui recule, doublons et passages par zéro sont signalés à part et écartés de l'analyse. "
    "Une fuite est repérée quand le débit ne redescend jamais à zéro, y compris entre 1 h et 5 h du matin, "
    "plusieurs nuits de suite ; son débit donne les litres perdus et le coût par an. "
    "Les journées inhabituelles sont celles qui s'écartent nettement des habitudes du foyer (médiane et écart "
    "médian), et les foyers sont regroupés par la forme de leur journée type (k-moyennes) puis comparés à des "
    "foyers semblables (même nombre d'occupants, même type de logement). "
    "Des messages sont rédigés à partir de modèles : alerte de fuite, comparaison toujours accompagnée d'un "
    "encouragement pour les foyers déjà sobres, conseil adapté au profil et économie possible."
)

__all__ = [
    "BILLING_DELAY_DAYS",
    "BLAMING_WORDS",
    "CampaignResult",
    "Conversion",
    "DEFAULT_EFFECT",
    "DEFAULT_PRICE_EUR_M3",
    "EFFECT_SOURCES",
    "LeakAlert",
    "LeakReport",
    "METHOD_SUMMARY_FR",
    "MessageSet",
    "MeterSeries",
    "PRICE_SOURCE_FR",
    "PeerComparison",
    "Prepared",
    "ProfileSegmenter",
    "QualityReport",
    "Readings",
    "ReadingsBuilder",
    "UnusualDays",
    "WaterAnalysis",
    "WaterParams",
    "analyse",
    "build_series",
    "clean_series",
    "compare_peers",
    "compose_messages",
    "consumption",
    "detect_kind",
    "detect_leaks",
    "prepare",
    "quality_report",
    "simulate_campaign",
    "sms_segments",
    "unusual_days",
]

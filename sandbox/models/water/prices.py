"""The price of water used to turn litres into euros."""

from sandbox.text import typography

DEFAULT_PRICE_EUR_M3 = 4.81
"""Complete price of water in €/m³, taxes included (drinking water, sanitation, fees and VAT)."""

PRICE_SOURCE_FR = typography(
    "Prix complet pondéré de l'eau sur le territoire du SEDIF (Syndicat des eaux d'Île-de-France) : "
    "4,81 € TTC par m³ au 1er janvier 2023, eau potable, assainissement, taxes et redevances compris "
    "(rapport annuel du SEDIF, « Votre facture d'eau »). Selon le coût de l'assainissement, il va de "
    "2,48 € à 5,87 € TTC par m³ d'une commune à l'autre ; Paris (Eau de Paris) a son propre tarif. "
    "Indiquez celui de votre commune."
)

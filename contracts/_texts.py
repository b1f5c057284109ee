"""Texts the speech contracts speak and align: every word of each must come back, once, in
order. They are full of what engines speak differently from how it is written: joined
function words, numbers, abbreviations, hyphens, apostrophes and punctuation."""

from __future__ import annotations

WORD_TEXTS: tuple[tuple[str | None, str], ...] = (
    (None, "The jar is on the kitchen shelf, in the morning."),
    (None, "In 1984, Dr. Smith paid 3.50 for 2 well-known books at 10:30 a.m."),
    (None, "Don't stop -- it's O'Brien's mother-in-law's car!"),
    (None, 'Wait... what? (Yes; no.) "Quoted" words, e.g. the U.S.A. and 50% off.'),
)
"""``(voice, text)``: English, in the adapter's default voice."""

MULTILINGUAL_WORD_TEXTS: tuple[tuple[str | None, str], ...] = (
    ("de", "Der Hund liegt auf dem Sofa, im Jahr 1984 bei Dr. Müller im Wohnzimmer."),
    ("fr", "L'homme est dans la cuisine, à l'heure du déjeuner, avec M. Dupont."),
    ("es", "El perro está en la casa, en el año 1984, ¿verdad? Sí, con el Sr. García."),
    ("ru", "Кот сидит на окне, в 1984 году, и смотрит на улицу."),
)
"""``(voice, text)`` in German, French, Spanish and Russian, by language code: for adapters
whose voices are named so (espeak-ng's are)."""

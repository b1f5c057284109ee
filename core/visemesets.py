"""Viseme sets as data: one declaration per set, and the registry that holds them.

A set declares its symbols, its silence symbol, an explicit phoneme table (IPA base symbol ->
symbol, consulted first) and a symbol for each shape class of ``core.phonetics`` (the fallback
for every other phoneme). A set with ``channels`` and per-symbol ``targets`` also gives weight
curves (``core.curves``). The built-in plugin registers the built-in sets; third-party plugins,
settings and requests add more (``custom_set`` validates a JSON table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from avatar_service.core.errors import Invalid
from avatar_service.core.phonemes import base_symbol
from avatar_service.core.phonetics import SHAPE_CLASSES, shape_class

MAX_CUSTOM_SYMBOLS = 64
MAX_CUSTOM_PHONEMES = 512
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


@dataclass(frozen=True, slots=True)
class VisemeSetSpec:
    """One viseme set. Invariants (checked on creation, ``Invalid`` otherwise): ``silence`` and
    every value of ``phonemes`` and ``classes`` are in ``symbols``; ``classes`` maps every shape
    class; the ``sil`` class maps to ``silence``; ``targets`` name only ``symbols`` and
    ``channels``, with weights in [0, 1]; ``closure`` (the channel that measures closed lips,
    or ``None``: closed lips are all channels at 0) is a channel."""

    name: str
    symbols: tuple[str, ...]
    silence: str
    classes: Mapping[str, str]
    phonemes: Mapping[str, str] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    closure: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        _check(self)

    @property
    def has_curves(self) -> bool:
        return bool(self.channels)

    def symbol_for(self, phoneme: str) -> str:
        """The symbol of one IPA phoneme: the explicit table (whole base symbol, its first two
        letters, or its first letter where that letter has the phoneme's shape class), else
        the symbol of its shape class."""
        return self.resolve(phoneme)[0]

    def resolve(self, phoneme: str) -> tuple[str, str]:
        """``(symbol, target key)``: the key is the shape class where the symbol came from the
        class fallback and ``targets`` refines that class, else the symbol."""
        shape = shape_class(phoneme)
        if shape == "sil":
            return self.silence, self.silence
        base = base_symbol(phoneme)
        table = self.phonemes
        if table:
            found = table.get(base) or table.get(base[:2])
            if found is None and base[:1] in table and shape_class(base[:1]) == shape:
                found = table[base[:1]]
            if found is not None:
                return found, found
        symbol = self.classes[shape]
        return symbol, shape if shape in self.targets else symbol

    def target(self, key: str) -> tuple[float, ...]:
        """The channel weights of a target key (a symbol or a shape class; zeros where the
        set gives none)."""
        weights = self.targets.get(key, {})
        return tuple(float(weights.get(name, 0.0)) for name in self.channels)


def _check(spec: VisemeSetSpec) -> None:
    field_name = "viseme_table"
    if not spec.name or not set(spec.name) <= _NAME_CHARS or len(spec.name) > 32:
        raise Invalid("a viseme set name is 1-32 of A-Z a-z 0-9 _ - .", field=field_name)
    symbols = set(spec.symbols)
    if len(symbols) != len(spec.symbols) or not symbols:
        raise Invalid(
            f"viseme set {spec.name}: symbols must be distinct, at least one", field=field_name
        )
    used = {spec.silence, *spec.phonemes.values(), *spec.classes.values()}
    used |= {key for key in spec.targets if key not in SHAPE_CLASSES}
    unknown = sorted(str(s) for s in used if s not in symbols)
    if unknown:
        raise Invalid(
            f"viseme set {spec.name}: unknown symbols {', '.join(unknown)}; "
            f"its symbols are {', '.join(spec.symbols)}",
            field=field_name,
        )
    missing = [c for c in SHAPE_CLASSES if c not in spec.classes]
    if missing:
        raise Invalid(
            f"viseme set {spec.name}: no symbol for the shape classes {', '.join(missing)}",
            field=field_name,
        )
    if spec.classes["sil"] != spec.silence:
        raise Invalid(
            f"viseme set {spec.name}: class sil must map to the silence symbol", field=field_name
        )
    channels = set(spec.channels)
    for symbol, weights in spec.targets.items():
        bad = sorted(str(c) for c in weights if c not in channels)
        if bad:
            raise Invalid(
                f"viseme set {spec.name}: {symbol} targets unknown channels {', '.join(bad)}",
                field=field_name,
            )
        if any(not 0.0 <= float(w) <= 1.0 for w in weights.values()):
            raise Invalid(
                f"viseme set {spec.name}: target weights must be in [0, 1]", field=field_name
            )
    if spec.closure is not None and spec.closure not in channels:
        raise Invalid(
            f"viseme set {spec.name}: closure {spec.closure} is not a channel", field=field_name
        )


class VisemeSetRegistry:
    """Viseme sets by name; a duplicate name is an error."""

    def __init__(self, sets: Iterable[VisemeSetSpec] = ()) -> None:
        self._sets: dict[str, VisemeSetSpec] = {}
        for spec in sets:
            self.add(spec)

    def add(self, spec: VisemeSetSpec) -> None:
        if not isinstance(spec, VisemeSetSpec):
            raise Invalid("register a VisemeSetSpec declaration", field="viseme_set")
        if spec.name in self._sets:
            raise Invalid(f"viseme set {spec.name!r} is registered twice", field="viseme_set")
        self._sets[spec.name] = spec

    def names(self) -> tuple[str, ...]:
        return tuple(self._sets)

    def curve_names(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self._sets.items() if spec.has_curves)

    def get(self, name: str, field: str = "viseme_set") -> VisemeSetSpec:
        """The set ``name``; ``Invalid`` (on ``field``) listing the sets otherwise."""
        spec = self._sets.get(name) if isinstance(name, str) else None
        if spec is None:
            raise Invalid(
                f"unknown viseme set {name!r}; choose one of {', '.join(self._sets)}",
                field=field,
            )
        return spec

    def curves(self, name: str) -> VisemeSetSpec:
        """The set ``name`` if it gives curves; ``Invalid`` (field ``curves``) otherwise."""
        spec = self.get(name, field="curves")
        if not spec.has_curves:
            raise Invalid(
                f"viseme set {name!r} has no curves; choose one of {', '.join(self.curve_names())}",
                field="curves",
            )
        return spec

    def with_set(self, spec: VisemeSetSpec | None) -> VisemeSetRegistry:
        """This registry plus ``spec`` (a request's own table), which may not shadow a name."""
        if spec is None:
            return self
        extended = VisemeSetRegistry(self._sets.values())
        extended.add(spec)
        return extended


def custom_set(data: Mapping[str, Any], field: str = "viseme_table") -> VisemeSetSpec:
    """A viseme set from a JSON table::

        {"name": "mine", "symbols": ["rest", "closed", "open"], "silence": "rest",
         "default": "open", "classes": {"PP": "closed"}, "phonemes": {"f": "closed"},
         "channels": [...], "targets": {"open": {"jawOpen": 1}}, "closure": "..."}

    ``classes`` maps shape classes (``core.phonetics.SHAPE_CLASSES``); a class it leaves out
    takes ``default`` (required then, and not the silence symbol); ``sil`` is always the
    silence symbol. ``phonemes`` keys are IPA phonemes. ``Invalid`` (on ``field``) names every
    unknown symbol, class or phoneme.
    """
    if not isinstance(data, Mapping):
        raise Invalid("a viseme table is a JSON object", field=field)
    known = {
        "name",
        "symbols",
        "silence",
        "default",
        "classes",
        "phonemes",
        "channels",
        "targets",
        "closure",
        "description",
    }
    extra = sorted(str(k) for k in data if k not in known)
    if extra:
        raise Invalid(f"unknown viseme table fields: {', '.join(extra)}", field=field)
    symbols = _strings(data.get("symbols"), "symbols", field, MAX_CUSTOM_SYMBOLS)
    silence = data.get("silence")
    if not isinstance(silence, str):
        raise Invalid("a viseme table needs its silence symbol", field=field)
    classes = dict(_mapping(data.get("classes", {}), "classes", field, len(SHAPE_CLASSES)))
    bad_classes = sorted(c for c in classes if c not in SHAPE_CLASSES)
    if bad_classes:
        raise Invalid(
            f"unknown shape classes {', '.join(bad_classes)}; classes are "
            f"{', '.join(SHAPE_CLASSES)}",
            field=field,
        )
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise Invalid("default must be a symbol", field=field)
    if default is not None and default == silence:
        raise Invalid("default must not be the silence symbol: a sound needs a shape", field=field)
    missing = [c for c in SHAPE_CLASSES[1:] if c not in classes]
    if missing and default is None:
        raise Invalid(f"map the shape classes {', '.join(missing)} or give a default", field=field)
    for shape in missing:
        classes[shape] = str(default)
    classes["sil"] = silence
    phonemes = dict(_mapping(data.get("phonemes", {}), "phonemes", field, MAX_CUSTOM_PHONEMES))
    unspoken = sorted(p for p in phonemes if shape_class(p) == "sil")
    if unspoken:
        raise Invalid(f"not phonemes: {', '.join(unspoken)}", field=field)
    if default is not None and default not in symbols:
        raise Invalid(
            f"unknown symbols {default}; the table's symbols are {', '.join(symbols)}", field=field
        )
    channels = _strings(data.get("channels", []), "channels", field, 256)
    targets_raw = _mapping(data.get("targets", {}), "targets", field, MAX_CUSTOM_SYMBOLS, False)
    targets: dict[str, dict[str, float]] = {}
    for symbol, weights in targets_raw.items():
        if not isinstance(weights, Mapping) or not all(
            isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
            for k, v in weights.items()
        ):
            raise Invalid(f"targets.{symbol} maps channel names to numbers", field=field)
        targets[symbol] = {k: float(v) for k, v in weights.items()}
    closure = data.get("closure")
    if closure is not None and not isinstance(closure, str):
        raise Invalid("closure must be a channel name", field=field)
    description = data.get("description", "")
    try:
        return VisemeSetSpec(
            name=str(data.get("name", "custom")),
            symbols=symbols,
            silence=silence,
            classes=classes,
            phonemes={base_symbol(k): v for k, v in phonemes.items()},
            channels=channels,
            targets=targets,
            closure=closure,
            description=description if isinstance(description, str) else "",
        )
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None


def _strings(value: Any, name: str, field: str, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(f"{name} must be a list of names", field=field)
    if len(value) > limit:
        raise Invalid(f"{name} may hold {limit} names", field=field)
    return tuple(value)


def _mapping(
    value: Any, name: str, field: str, limit: int, strings: bool = True
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise Invalid(f"{name} must be an object", field=field)
    if strings and not all(isinstance(v, str) for v in value.values()):
        raise Invalid(f"{name} maps names to symbols", field=field)
    if len(value) > limit:
        raise Invalid(f"{name} may hold {limit} entries", field=field)
    return value

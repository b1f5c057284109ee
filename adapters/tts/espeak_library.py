"""A ctypes binding to libespeak-ng: voices, and synthesis with the engine's own word and
phoneme events.

The library and its data come from the ``espeakng-loader`` wheel unless paths are given. The
C library keeps global state (one voice, one callback, one set of parameters), so every call
into it holds one process-wide lock, and it is initialised once per process, lazily, on a
mirror of its data folder where voices speak without pitch flutter (``espeak_data``): the
same text, voice and parameters give the same samples on every call.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from avatar_service.adapters.tts.espeak_data import STEADY_VARIANT, steady_data_folder

# speak_lib.h constants
AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_PHONEME_IPA = 0x0002
INITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
CHARS_UTF8 = 1
SSML = 0x10
EE_OK = 0
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
EVENT_SENTENCE = 2
EVENT_MARK = 3
EVENT_END = 5
EVENT_MSG_TERMINATED = 6
EVENT_PHONEME = 7
PARAM_RATE, PARAM_VOLUME, PARAM_PITCH = 1, 2, 3
PHONEMES_IPA = 0x02
BUFFER_MS = 1000  # audio per callback: fewer Python round trips per utterance


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),  # phoneme name: UTF-8, NUL-terminated unless 8 bytes long
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True, slots=True)
class EspeakVoiceInfo:
    """A voice file: ``identifier`` (e.g. ``gmw/en-US``), display name, languages by
    priority, gender (0 none, 1 male, 2 female)."""

    identifier: str
    name: str
    languages: tuple[str, ...]
    gender: int


@dataclass(frozen=True, slots=True)
class EspeakEvent:
    """One engine event: ``kind`` (``EVENT_*``), 1-based character ``text_position`` and
    ``length`` in the input, absolute ``sample`` offset, and the phoneme ``name`` (IPA) or,
    for ``EVENT_MARK``, the mark's name."""

    kind: int
    text_position: int
    length: int
    sample: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class RawSynthesis:
    samples: npt.NDArray[np.int16]
    sample_rate: int
    events: tuple[EspeakEvent, ...]


class EspeakLoadError(RuntimeError):
    """The library or its data could not be loaded or initialised."""


@dataclass
class _Collector:
    chunks: list[npt.NDArray[np.int16]] = field(default_factory=list)
    events: list[EspeakEvent] = field(default_factory=list)


_LOCK = threading.Lock()
_STATE: dict[str, _Loaded] = {}


@dataclass
class _Loaded:
    lib: ctypes.CDLL
    sample_rate: int
    callback: object  # keeps the C callback alive
    data_path: str | None = None
    collector: _Collector | None = None
    voice: str | None = None
    """The voice last loaded with ``espeak_SetVoiceByName`` (``None``: unknown)."""
    steady: bool = False
    """The data folder has the steady variant (``espeak_data``): a voice named without a
    variant is loaded with it, so the same text gives the same samples on every call."""

    def use_voice(self, identifier: str) -> None:
        """Load ``identifier`` unless it is loaded already (loading costs ~0.2 ms a call);
        ``LookupError`` if it does not load. Call with ``_LOCK`` held."""
        if identifier == self.voice:
            return
        self.voice = None
        steady = [f"{identifier}+{STEADY_VARIANT}"] if self.steady and "+" not in identifier else []
        if not any(self._set_voice(name) for name in (*steady, identifier)):
            raise LookupError(identifier)
        self.voice = identifier

    def _set_voice(self, name: str) -> bool:
        return bool(self.lib.espeak_SetVoiceByName(name.encode()) == EE_OK)


def default_paths() -> tuple[str, str]:
    """Library and data paths from the ``espeakng-loader`` wheel."""
    try:
        import espeakng_loader
    except ImportError as exc:
        raise EspeakLoadError(
            "espeakng-loader is not installed (pip install espeakng-loader), "
            "or set a system libespeak-ng path"
        ) from exc
    return str(espeakng_loader.get_library_path()), str(espeakng_loader.get_data_path())


class EspeakLibrary:
    """Handle to the process's libespeak-ng. Cheap to construct; loads on first use."""

    def __init__(self, library_path: str | Path | None = None, data_path: str | Path | None = None):
        self._library_path = None if library_path is None else str(library_path)
        self._data_path = None if data_path is None else str(data_path)

    def _loaded(self) -> _Loaded:
        """Load and initialise once; the caller holds ``_LOCK``."""
        key = "espeak"  # one C library state per process, whichever path loaded it
        loaded = _STATE.get(key)
        if loaded is not None:
            return loaded
        lib_path, data_path = self._library_path, self._data_path
        if lib_path is None:  # the wheel's library with the wheel's data
            wheel_lib, wheel_data = default_paths()
            lib_path, data_path = wheel_lib, data_path or wheel_data
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as exc:
            raise EspeakLoadError(f"cannot load libespeak-ng from {lib_path}: {exc}") from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        options = INITIALIZE_DONT_EXIT | INITIALIZE_PHONEME_EVENTS | INITIALIZE_PHONEME_IPA
        # A system library with no data path given uses its own compiled-in data location.
        steady = None if data_path is None else steady_data_folder(data_path)
        data_path = steady or data_path
        path_arg = None if data_path is None else data_path.encode()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, path_arg, options)
        if rate <= 0:
            where = data_path or "the library's default location"
            raise EspeakLoadError(f"espeak-ng failed to initialise with data at {where}")
        loaded = _Loaded(lib, rate, None, data_path, steady=steady is not None)

        def on_audio(
            wav: ctypes._Pointer[ctypes.c_short], count: int, events: ctypes._Pointer[_Event]
        ) -> int:
            collector = loaded.collector
            if collector is None:
                return 0
            if count > 0 and wav:
                collector.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            i = 0
            while events[i].type != EVENT_LIST_TERMINATED:
                e = events[i]
                name = _event_name(e)
                collector.events.append(
                    EspeakEvent(e.type, e.text_position, e.length, e.sample, name)
                )
                i += 1
            return 0

        loaded.callback = _Callback(on_audio)
        lib.espeak_SetSynthCallback(loaded.callback)
        _STATE[key] = loaded
        return loaded

    def ensure_loaded(self) -> int:
        """Load the library if needed; its output sample rate. ``EspeakLoadError`` if not."""
        with _LOCK:
            return self._loaded().sample_rate

    def voices(self) -> list[EspeakVoiceInfo]:
        """Every installed voice, in the library's order (MBROLA voices excluded)."""
        with _LOCK:
            lib = self._loaded().lib
            listed = lib.espeak_ListVoices(None)
            found = []
            i = 0
            while listed[i]:
                voice = listed[i].contents
                i += 1
                identifier = (voice.identifier or b"").decode()
                if not identifier or identifier.startswith("mb/"):
                    continue
                found.append(
                    EspeakVoiceInfo(
                        identifier,
                        (voice.name or b"").decode().strip(),
                        _languages(voice.languages),
                        int(voice.gender),
                    )
                )
            return found

    def variants(self) -> frozenset[str]:
        """Names of the voice variants (``f3``, ``klatt``...) a voice id may add after ``+``;
        empty when the data folder is not known (a system library's compiled-in default)."""
        with _LOCK:
            data_path = self._loaded().data_path
        folder = None if data_path is None else Path(data_path) / "voices" / "!v"
        if folder is None or not folder.is_dir():
            return frozenset()
        return frozenset(
            p.name for p in folder.iterdir() if p.is_file() and p.name != STEADY_VARIANT
        )

    def synthesize(
        self,
        text: str,
        identifier: str,
        *,
        rate: int,
        pitch: int,
        volume: int,
        ssml: bool = False,
        seed: int = 0,
    ) -> RawSynthesis:
        """Speak ``text`` with the voice file ``identifier``; ``rate`` in words per minute,
        ``pitch`` 0-100, ``volume`` 0-200; ``ssml``: ``text`` is SSML (marks become
        ``EVENT_MARK`` events). The engine's random variation (pitch flutter, noise) starts
        from ``seed``, so equal calls give equal audio. ``LookupError`` if the voice does not
        load."""
        data = text.replace("\0", " ").encode("utf-8")
        with _LOCK:
            loaded = self._loaded()
            lib = loaded.lib
            loaded.use_voice(identifier)
            if ssml:  # <voice> and xml:lang may switch voices: load it afresh next time
                loaded.voice = None
            lib.espeak_SetParameter(PARAM_RATE, rate, 0)
            lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
            lib.espeak_SetParameter(PARAM_VOLUME, volume, 0)
            lib.espeak_ng_SetRandSeed(seed)
            collector = loaded.collector = _Collector()
            try:
                status = lib.espeak_Synth(
                    data,
                    len(data) + 1,
                    0,
                    POS_CHARACTER,
                    0,
                    CHARS_UTF8 | (SSML if ssml else 0),
                    None,
                    None,
                )
            finally:
                loaded.collector = None
            if status != EE_OK:
                raise RuntimeError(f"espeak_Synth failed with status {status}")
            sample_rate = loaded.sample_rate
        samples = np.concatenate(collector.chunks) if collector.chunks else np.zeros(0, np.int16)
        return RawSynthesis(samples, sample_rate, tuple(collector.events))

    def text_to_phonemes(
        self, texts: list[str], identifier: str, separator: str = "_"
    ) -> list[str]:
        """IPA for each of ``texts`` (clauses joined by spaces), phonemes split by
        ``separator``, words by spaces; no audio is made. ``LookupError`` for an unknown voice."""
        mode = PHONEMES_IPA | (ord(separator) << 8)
        out = []
        with _LOCK:
            loaded = self._loaded()
            lib = loaded.lib
            loaded.use_voice(identifier)
            for text in texts:
                buffer = ctypes.create_string_buffer(text.replace("\0", " ").encode("utf-8"))
                pointer = ctypes.c_void_p(ctypes.addressof(buffer))
                clauses = []
                while pointer.value:
                    clause = lib.espeak_TextToPhonemes(ctypes.byref(pointer), CHARS_UTF8, mode)
                    if clause:
                        clauses.append(clause.decode("utf-8", "replace").strip())
                out.append(" ".join(c for c in clauses if c))
        return out


_ID_OFFSET = _Event.id.offset


def _event_name(event: _Event) -> str:
    """A phoneme event's IPA name, or a mark event's name (there ``id`` holds a char*)."""
    if event.type == EVENT_PHONEME:
        return bytes(event.id).decode("utf-8", "replace")
    if event.type == EVENT_MARK:
        name = ctypes.c_char_p.from_address(ctypes.addressof(event) + _ID_OFFSET).value
        return (name or b"").decode("utf-8", "replace")
    return ""


def _languages(pointer: int | None) -> tuple[str, ...]:
    """Decode espeak's language list: (priority byte, NUL-terminated name)*, then a 0 byte."""
    out: list[str] = []
    if not pointer:
        return ()
    while ctypes.c_ubyte.from_address(pointer).value != 0:
        name = ctypes.string_at(pointer + 1)
        out.append(name.decode("utf-8", "replace"))
        pointer += 2 + len(name)
    return tuple(out)

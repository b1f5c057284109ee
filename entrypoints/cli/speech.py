"""Speech commands: phonemes, lipsync, speak, align."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from avatar_service.core.errors import Invalid
from avatar_service.entrypoints.cli.cue_export import cue_format_options, cue_output
from avatar_service.entrypoints.cli.curves import curve_options, export_curves
from avatar_service.entrypoints.cli.output import (
    alphabet_option,
    echo_table,
    emit_json,
    json_option,
    voice_option,
    writable_output,
    write_failed,
)
from avatar_service.entrypoints.cli.state import CliState, keep_option, pass_state

if TYPE_CHECKING:
    from avatar_service.core.speech import Alignment, FloatArray
    from avatar_service.core.usecases.speech import Alphabet
    from avatar_service.core.word_timings import WordSpan


@click.command()
@click.argument("text")
@voice_option
@alphabet_option("Phoneme symbols to print.")
@json_option
@pass_state
def phonemes(state: CliState, text: str, voice: str | None, alphabet: str, as_json: bool) -> None:
    """Print each word of TEXT with its phonemes (no audio is made)."""
    from avatar_service.core.phonemes import split_stress
    from avatar_service.core.usecases.speech import check_alphabet, phoneme_label

    state.discard_records(keep=False)  # nothing to keep
    alpha = check_alphabet(alphabet)
    words = state.container().speech.phonemize(text, voice)
    labels = [
        [phoneme_label(p, alpha, stress=split_stress(p)[1]) for p in w.phonemes] for w in words
    ]
    if not as_json:
        echo_table(
            [[word.text, " ".join(symbols)] for word, symbols in zip(words, labels, strict=True)]
        )
        return
    emit_json(
        {
            "text": text,
            "alphabet": alpha,
            "words": [
                {
                    "word": w.text,
                    "start_char": w.char_start,
                    "end_char": w.char_end,
                    "phonemes": symbols,
                }
                for w, symbols in zip(words, labels, strict=True)
            ],
        }
    )


def read_recording(state: CliState, audio: Path) -> tuple[FloatArray, int]:
    """The samples of a recording file (WAV, FLAC, OGG, MP3), within the configured limits."""
    try:
        data = audio.read_bytes()
    except OSError as exc:
        raise click.FileError(str(audio), hint=exc.strerror or str(exc)) from exc
    max_seconds = state.settings().limits.max_recording_seconds
    return state.container().audio_codec.decode(data, max_seconds)


audio_option = click.option(
    "--audio",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A recording (WAV, FLAC, OGG, MP3) to lip-sync instead of TEXT: phones are "
    "recognised from the audio (English).",
)
transcript_option = click.option(
    "--text",
    "transcript",
    help="With --audio: what the recording says (adds words; followed if it fits the audio).",
)

words_option = click.option(
    "--words",
    "words_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --audio, instead of --text: a JSON file of the words said with their times, "
    '[{"word", "start", "end"}, ...] in seconds (a voice agent\'s or speech engine\'s). They '
    "stand as given.",
)
MAX_WORDS_FILE_BYTES = 1 << 20
"""A --words file larger than this is refused (1,000 words fit in far less)."""


def read_words(path: Path) -> tuple[WordSpan, ...]:
    """The spans of a ``--words`` file; ``Invalid`` (field ``words``) when it is not one."""
    from avatar_service.entrypoints.word_times import word_spans

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_WORDS_FILE_BYTES + 1)
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror or str(exc)) from exc
    if len(data) > MAX_WORDS_FILE_BYTES:
        raise Invalid(f"--words: the file is over {MAX_WORDS_FILE_BYTES} bytes", field="words")
    return word_spans(data)


@click.command()
@click.argument("text", required=False)
@audio_option
@transcript_option
@words_option
@voice_option
@click.option(
    "--viseme-set",
    default="oculus",
    show_default=True,
    help="Viseme set of the cues (oculus, azure, rhubarb, vrm, arkit, or a plugin's).",
)
@alphabet_option("Phoneme symbols in the JSON output.")
@curve_options
@cue_format_options
@json_option
@keep_option
@pass_state
def lipsync(
    state: CliState,
    text: str | None,
    audio: Path | None,
    transcript: str | None,
    words_file: Path | None,
    voice: str | None,
    viseme_set: str,
    alphabet: str,
    curves: tuple[str, ...],
    fps: int,
    intensity: float,
    export: Path | None,
    morph_targets: str | None,
    cue_format: str | None,
    extended_shapes: str,
    tweens: bool,
    dat_fps: float,
    dat_preston_blair: bool,
    cues_path: Path | None,
    as_json: bool,
    keep: bool,
) -> None:
    """Synthesise TEXT (or recognise --audio) and print its timings; nothing is stored.

    Text output is a summary; --json gives every phoneme, word and viseme cue; --cues only
    the cues, in a file format of Rhubarb Lip Sync. --curves computes weight curves;
    --export writes them to a .json, .csv or .gltf file.
    """
    from avatar_service.core.curve_export import curves_json
    from avatar_service.core.usecases.recognition import RecordingRequest, followed
    from avatar_service.core.usecases.speech import SpeechRequest, check_alphabet

    state.discard_records(keep)
    writer = None
    if cue_format is None and cues_path is not None:
        raise Invalid("--output goes with --cues", field="output")
    if cue_format is not None:
        if as_json:
            raise Invalid("give --json or --cues, not both", field="cues")
        registry = state.container().speech.viseme_sets
        options = (extended_shapes, tweens, dat_fps, dat_preston_blair, cues_path)
        writer = cue_output(registry, viseme_set, cue_format, *options)
    visemes = viseme_set if writer is None else writer.file.viseme_set.name
    alpha = check_alphabet(alphabet)
    named = tuple(dict.fromkeys(c.strip() for group in curves for c in group.split(",") if c))
    if (text is None) == (audio is None):
        raise Invalid("give TEXT, or --audio with a recording", field="text")
    if audio is not None:
        if named:
            raise Invalid("--curves goes with TEXT, not --audio", field="curves")
        words = None if words_file is None else read_words(words_file)
        samples, rate = read_recording(state, audio)
        timed = state.container().recognition.timed_recording(
            RecordingRequest(samples, rate, text=transcript, words=words, viseme_sets=(visemes,))
        )
    else:
        if transcript is not None:
            raise Invalid("--text goes with --audio; give the text as TEXT", field="text")
        if words_file is not None:
            raise Invalid("--words goes with --audio", field="words")
        assert text is not None
        request = SpeechRequest(
            text, voice, viseme_sets=(visemes,), curves=named, fps=fps, intensity=intensity
        )
        timed = state.container().speech.timed_speech(request)
    speech, alignment, cues = timed.speech, timed.alignment, timed.visemes[visemes]
    recording = {"transcript": followed(alignment)} if audio is not None else {}
    if export is not None:
        export_curves(export, [timed.curves[name] for name in named], morph_targets)
    if writer is not None:
        writer.write(cues, speech.duration, str(audio.resolve()) if audio is not None else "")
        return
    if not as_json:
        echo_table(
            [
                ["voice", speech.voice_id],
                *(
                    [["transcript", _followed_text(recording["transcript"])]]
                    if transcript is not None or words_file is not None
                    else []
                ),
                ["duration", f"{speech.duration:.3f} s ({speech.sample_rate} Hz)"],
                ["words", str(len(alignment.words))],
                ["phonemes", str(len(alignment.phonemes))],
                ["visemes", f"{len(cues)} cues ({visemes})"],
                *[
                    [f"curves {name}", f"{len(c.frames)} frames x {len(c.names)} at {c.fps} fps"]
                    for name, c in timed.curves.items()
                ],
            ]
        )
        return
    emit_json(
        {
            "voice": speech.voice_id,
            "duration": speech.duration,
            "sample_rate": speech.sample_rate,
            "alphabet": alpha,
            "phonemes": _phonemes_json(alignment, alpha),
            "words": _words_json(alignment),
            "viseme_set": visemes,
            **recording,
            "visemes": [{"viseme": c.viseme, "start": c.start, "end": c.end} for c in cues],
            **({"curves": {n: curves_json(c) for n, c in timed.curves.items()}} if named else {}),
        }
    )


def _followed_text(followed: bool) -> str:
    if followed:
        return "followed"
    return "not followed: it does not fit the recording (phones as heard)"


@click.command()
@click.argument("text")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_output,
    help="WAV file to write.",
)
@voice_option
@click.option(
    "--rate", type=float, default=1.0, show_default=True, help="Speed multiplier, 0.25-4."
)
@click.option(
    "--pitch", type=float, default=1.0, show_default=True, help="Pitch multiplier, 0.25-4."
)
@keep_option
@pass_state
def speak(
    state: CliState,
    text: str,
    output: Path,
    voice: str | None,
    rate: float,
    pitch: float,
    keep: bool,
) -> None:
    """Synthesise TEXT to a mono 16-bit PCM WAV file (only that file is written)."""
    from avatar_service.core.audio import encode_wav
    from avatar_service.core.speech import SynthesisOptions
    from avatar_service.core.usecases.speech import SpeechRequest

    state.discard_records(keep)
    request = SpeechRequest(text, voice, SynthesisOptions(rate=rate, pitch=pitch))
    speech = state.container().speech.timed_speech(request).speech
    try:
        output.write_bytes(encode_wav(speech.samples, speech.sample_rate))
    except OSError as exc:
        raise write_failed(output, exc) from exc
    click.echo(
        f"wrote {output} ({speech.duration:.2f} s, {speech.sample_rate} Hz, {speech.voice_id})"
    )


@click.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("transcript")
@voice_option
@alphabet_option("Phoneme symbols to print.")
@json_option
@keep_option
@pass_state
def align(
    state: CliState,
    audio: Path,
    transcript: str,
    voice: str | None,
    alphabet: str,
    as_json: bool,
    keep: bool,
) -> None:
    """Align AUDIO (WAV, FLAC, OGG, MP3) to its TRANSCRIPT with the configured aligner.

    Prints each word with its time span; --json gives every phoneme and word.
    """
    from avatar_service.core.usecases.speech import check_alphabet

    state.discard_records(keep)
    alpha = check_alphabet(alphabet)
    try:
        data = audio.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {audio}: {exc.strerror or exc}") from exc
    container = state.container()
    samples, rate = container.audio_codec.decode(data, state.settings().speech.max_align_seconds)
    alignment = container.speech.align(samples, rate, transcript, voice)
    if not as_json:
        echo_table(
            [["WORD", "START", "END"]]
            + [[w.text, f"{w.start:.3f}", f"{w.end:.3f}"] for w in alignment.words]
        )
        return
    emit_json(
        {
            "text": transcript,
            "duration": len(samples) / rate,
            "alphabet": alpha,
            "phonemes": _phonemes_json(alignment, alpha),
            "words": _words_json(alignment),
        }
    )


def _phonemes_json(alignment: Alignment, alpha: Alphabet) -> list[dict[str, object]]:
    """Timed phonemes as the HTTP API names them (``word_index``: the word each belongs to)."""
    from avatar_service.core.usecases.speech import phoneme_label

    return [
        {
            "phoneme": phoneme_label(p.symbol, alpha, stress=p.stress, arpabet=p.arpabet),
            "start": p.start,
            "end": p.end,
            "word_index": p.word_index,
        }
        for p in alignment.phonemes
    ]


def _words_json(alignment: Alignment) -> list[dict[str, object]]:
    """Timed words as the HTTP API names them: ``[start_char, end_char)`` into the text."""
    return [
        {
            "word": w.text,
            "start": w.start,
            "end": w.end,
            "start_char": w.char_start,
            "end_char": w.char_end,
        }
        for w in alignment.words
    ]


COMMANDS = (phonemes, lipsync, speak, align)

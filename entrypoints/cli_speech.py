"""Speech commands: voices (and voices download), phonemes, lipsync, speak, align."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from avatar_service.core.audio import encode_wav
from avatar_service.core.phonemes import split_stress
from avatar_service.core.speech import SynthesisOptions
from avatar_service.core.usecases.speech import SpeechRequest, check_alphabet, phoneme_label
from avatar_service.core.visemes import VISEME_SETS, check_viseme_set
from avatar_service.entrypoints.cli_base import (
    CliState,
    echo_table,
    emit_json,
    json_option,
    keep_option,
    main,
    pass_state,
    voice_option,
    writable_output,
    write_failed,
)


@main.group(invoke_without_command=True)
@json_option
@click.pass_context
def voices(ctx: click.Context, as_json: bool) -> None:
    """List the voices of the configured speech synthesizer (or download a Piper voice)."""
    if ctx.invoked_subcommand is not None:
        return
    found = ctx.find_object(CliState) or CliState()
    found.discard_records(keep=False)  # listing voices writes nothing
    listed = found.container().speech.voices()
    if as_json:
        emit_json({"voices": [asdict(voice) for voice in listed]})
        return
    rows = [["VOICE", "NAME", "LANGUAGE", "ENGINE", "RATE", "GENDER"]]
    rows += [
        [v.voice_id, v.name, v.language, v.engine, str(v.sample_rate), v.gender or ""]
        for v in listed
    ]
    echo_table(rows)


@voices.command("download")
@click.argument("name")
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
    help="Where to put it [default: AVATAR_SPEECH__PIPER_VOICES_DIR, ./data/voices].",
)  # fmt: skip
@pass_state
def voices_download(state: CliState, name: str, folder: Path | None) -> None:
    """Download Piper voice NAME (e.g. en_US-lessac-medium) with piper-tts' downloader.

    The voices folder is where the piper engine looks; with AVATAR_TTS=auto (the default) the
    voice then becomes the default.
    """
    from avatar_service.adapters.tts.piper import download_voice

    target = folder or state.settings().speech.piper_voices_dir
    for path in download_voice(name, target):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("text")
@voice_option
@click.option(
    "--alphabet", type=click.Choice(["ipa", "arpabet"]), default="ipa", show_default=True,
    help="Phoneme symbols to print.",
)  # fmt: skip
@json_option
@pass_state
def phonemes(state: CliState, text: str, voice: str | None, alphabet: str, as_json: bool) -> None:
    """Print each word of TEXT with its phonemes (no audio is made)."""
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
    emit_json({
        "text": text,
        "alphabet": alpha,
        "words": [
            {"word": w.text, "char_start": w.char_start, "char_end": w.char_end,
             "phonemes": symbols}
            for w, symbols in zip(words, labels, strict=True)
        ],
    })  # fmt: skip


@main.command()
@click.argument("text")
@voice_option
@click.option(
    "--viseme-set", type=click.Choice(VISEME_SETS), default="oculus", show_default=True,
    help="Viseme set of the cues.",
)  # fmt: skip
@click.option(
    "--alphabet", type=click.Choice(["ipa", "arpabet"]), default="ipa", show_default=True,
    help="Phoneme symbols in the JSON output.",
)  # fmt: skip
@json_option
@keep_option
@pass_state
def lipsync(
    state: CliState, text: str, voice: str | None, viseme_set: str, alphabet: str, as_json: bool,
    keep: bool,
) -> None:  # fmt: skip
    """Synthesise TEXT and print its timings; nothing is stored.

    Text output is a summary; --json gives every phoneme, word and viseme cue.
    """
    state.discard_records(keep)
    visemes, alpha = check_viseme_set(viseme_set), check_alphabet(alphabet)
    request = SpeechRequest(text, voice, viseme_sets=(visemes,))
    timed = state.container().speech.timed_speech(request)
    speech, alignment, cues = timed.speech, timed.alignment, timed.visemes[visemes]
    if not as_json:
        echo_table([
            ["voice", speech.voice_id],
            ["duration", f"{speech.duration:.3f} s ({speech.sample_rate} Hz)"],
            ["words", str(len(alignment.words))],
            ["phonemes", str(len(alignment.phonemes))],
            ["visemes", f"{len(cues)} cues ({visemes})"],
        ])  # fmt: skip
        return
    emit_json({
        "voice_id": speech.voice_id,
        "duration": speech.duration,
        "sample_rate": speech.sample_rate,
        "alphabet": alpha,
        "phonemes": [
            {"phoneme": phoneme_label(p.symbol, alpha, stress=p.stress, arpabet=p.arpabet),
             "start": p.start, "end": p.end}
            for p in alignment.phonemes
        ],
        "words": [{"word": w.text, "start": w.start, "end": w.end} for w in alignment.words],
        "viseme_set": visemes,
        "visemes": [{"viseme": c.viseme, "start": c.start, "end": c.end} for c in cues],
    })  # fmt: skip


@main.command()
@click.argument("text")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
    callback=writable_output, help="WAV file to write.",
)  # fmt: skip
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


@main.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("transcript")
@voice_option
@click.option(
    "--alphabet", type=click.Choice(["ipa", "arpabet"]), default="ipa", show_default=True,
    help="Phoneme symbols to print.",
)  # fmt: skip
@json_option
@keep_option
@pass_state
def align(
    state: CliState, audio: Path, transcript: str, voice: str | None, alphabet: str, as_json: bool,
    keep: bool,
) -> None:  # fmt: skip
    """Align AUDIO (WAV, FLAC, OGG) to its TRANSCRIPT with the configured aligner.

    Prints each word with its time span; --json gives every phoneme and word.
    """
    state.discard_records(keep)
    from avatar_service.adapters.aligner.dtw_audio import read_audio

    alpha = check_alphabet(alphabet)
    try:
        data = audio.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {audio}: {exc.strerror or exc}") from exc
    settings = state.settings()
    samples, rate = read_audio(data, settings.speech.max_align_seconds)
    alignment = state.container().speech.align(samples, rate, transcript, voice)
    if not as_json:
        echo_table(
            [["WORD", "START", "END"]]
            + [[w.text, f"{w.start:.3f}", f"{w.end:.3f}"] for w in alignment.words]
        )
        return
    emit_json({
        "text": transcript,
        "duration": len(samples) / rate,
        "alphabet": alpha,
        "phonemes": [
            {"phoneme": phoneme_label(p.symbol, alpha, stress=p.stress, arpabet=p.arpabet),
             "start": p.start, "end": p.end}
            for p in alignment.phonemes
        ],
        "words": [
            {"word": w.text, "start": w.start, "end": w.end, "start_char": w.char_start,
             "end_char": w.char_end}
            for w in alignment.words
        ],
    })  # fmt: skip

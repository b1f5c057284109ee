"""The phone model's decoders: forced-alignment Viterbi finds the best path a brute-force
search finds; the online phone loop commits only settled frames and matches a whole-file
decode; features keep their frame-time convention."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from avatar_service.adapters.acoustic import features, viterbi
from avatar_service.adapters.acoustic.phone_loop import LoopDecoder
from avatar_service.adapters.acoustic.viterbi import StatePlan, best_path, best_paths


def _paths(frames: int, optional: list[bool]) -> list[list[int]]:
    """Every legal state sequence: start at 0 (or 1 past an optional 0), stay or move on by
    one (two over an optional state), end at the last state (or the one before an optional
    last)."""
    states = len(optional)
    found = []
    for steps in itertools.product((0, 1, 2), repeat=frames - 1):
        for first in (0, 1) if optional[0] else (0,):
            path, ok = [first], True
            for step in steps:
                nxt = path[-1] + step
                if nxt >= states or (step == 2 and not optional[path[-1] + 1]):
                    ok = False
                    break
                path.append(nxt)
            ends = {states - 1} | ({states - 2} if optional[-1] else set())
            if ok and path[-1] in ends:
                found.append(path)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_forced_viterbi_finds_the_best_legal_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    optional = [True, False, True, False, False, True]
    scores = rng.standard_normal((7, 4)).astype(np.float32)
    columns = rng.integers(0, 4, len(optional))
    plan = StatePlan(np.array(columns), np.array(optional))
    path = best_path(scores, plan)

    def total(p: list[int]) -> float:
        return float(sum(scores[t, columns[s]] for t, s in enumerate(p)))

    best = max(_paths(7, optional), key=total)
    assert total(list(path)) == pytest.approx(total(best), abs=1e-4)


@pytest.mark.parametrize("seed", range(6))
def test_plans_swept_together_find_each_plans_own_best_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((7, 4)).astype(np.float32)
    plans = [
        StatePlan(rng.integers(0, 4, len(optional)), np.array(optional))
        for optional in (
            [True, False, True, False, True],
            [False, False],
            [True, False, False, False, False, True],
        )
    ]

    def total(plan: StatePlan, p: list[int]) -> float:
        return float(sum(scores[t, plan.columns[s]] for t, s in enumerate(p)))

    for plan, path in zip(plans, best_paths(scores, plans), strict=True):
        best = max(_paths(7, list(plan.optional)), key=lambda p, plan=plan: total(plan, p))
        assert total(plan, list(path)) == pytest.approx(total(plan, best), abs=1e-4)


@pytest.mark.parametrize("block", [1, 2, 7, 48])
def test_a_sweep_kept_in_blocks_finds_the_same_paths(block: int) -> None:
    """Back pointers for at most ``block`` frames at once (a long recording's bound)."""
    rng = np.random.default_rng(block)
    scores = rng.standard_normal((49, 6)).astype(np.float32)
    plans = [StatePlan(rng.integers(0, 6, size), rng.random(size) < 0.3) for size in (9, 14, 5)]
    whole = best_paths(scores, plans)
    states = sum(plan.columns.size for plan in plans)
    kept = best_paths(scores, plans, max_back_bytes=block * states)
    for a, b in zip(whole, kept, strict=True):
        assert a.tolist() == b.tolist()


def _speech_like(
    seed: int, phones: int, columns: int = 40
) -> tuple[npt.NDArray[np.float32], StatePlan]:
    """Log-posterior-like scores of a recording whose phones (a pause between some) each
    last 2-20 frames, blurred by noise, and the plan of its transcript."""
    rng = np.random.default_rng(seed)
    symbols = rng.integers(1, columns, phones)
    plan_columns, optional = [0], [True]
    truth: list[int] = []
    for index, symbol in enumerate(symbols):
        if index and rng.random() < 0.2:
            plan_columns.append(0)
            optional.append(True)
            if rng.random() < 0.5:
                truth.extend([0] * int(rng.integers(5, 40)))
        plan_columns.append(int(symbol))
        optional.append(False)
        truth.extend([int(symbol)] * int(rng.integers(2, 21)))
    plan_columns.append(0)
    optional.append(True)
    logits = rng.normal(0.0, 1.5, (len(truth), columns))
    logits[np.arange(len(truth)), truth] += 4.0
    scores = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return scores.astype(np.float32), StatePlan(np.array(plan_columns), np.array(optional))


@pytest.mark.parametrize("seed", range(2))
def test_a_pruned_sweep_finds_the_whole_sweeps_paths_while_scoring_few_states(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long recording with its transcript: each plan swept alone within the beam."""
    scores, plan = _speech_like(seed, 800)
    long_plan = StatePlan(np.repeat(plan.columns, 4), np.repeat(plan.optional, 4))
    plans = [plan, long_plan]
    whole = best_paths(scores, plans, beam=None)
    widths: list[int] = []
    pruned = viterbi._Sweep._pruned

    def spied(sweep: Any, delta: Any, lo: int, hi: int) -> tuple[int, int]:
        first, last = pruned(sweep, delta, lo, hi)
        widths.append(last - first)
        return first, last

    monkeypatch.setattr(viterbi._Sweep, "_pruned", spied)
    found = best_paths(scores, plans, pruned_from=0)
    in_blocks = best_paths(scores, plans, pruned_from=0, max_back_bytes=97 * long_plan.columns.size)
    for a, b, c in zip(whole, found, in_blocks, strict=True):
        assert a.tolist() == b.tolist() == c.tolist()
    assert max(widths) < long_plan.columns.size / 4


def test_a_beam_that_loses_the_last_state_sweeps_again_whole() -> None:
    """Lingering on a phone that fits scores best until too few frames are left to reach the
    end: a beam of 0 keeps only the lingering state at each pruning, so the end is lost, and
    the answer is still the whole sweep's."""
    frames, states = 3 * viterbi.PRUNE_EVERY + 6, 11
    scores = np.full((frames, states), -9.0, np.float32)
    scores[:, 0] = 0.0
    plan = StatePlan(np.arange(states), np.zeros(states, np.bool_))
    expected = best_paths(scores, [plan], beam=None)[0].tolist()
    assert expected == [0] * (frames - states + 1) + list(range(1, states))
    assert viterbi._swept(scores, [plan], 1 << 20, 0.0) is None  # the beam lost the end
    assert best_paths(scores, [plan], beam=0.0, pruned_from=0)[0].tolist() == expected


def test_forced_viterbi_refuses_more_phones_than_frames() -> None:
    plan = StatePlan(np.array([0, 1, 2, 3]), np.array([False] * 4))
    with pytest.raises(ValueError, match="cannot fit"):
        best_path(np.zeros((3, 4), np.float32), plan)


def _frame_labels(decoder: LoopDecoder) -> np.ndarray:
    return np.concatenate([[s.label] * (s.end - s.start) for s in decoder.segments()])


def test_the_online_phone_loop_matches_a_whole_file_decode_on_settled_frames() -> None:
    rng = np.random.default_rng(5)
    classes = 6
    labels = np.repeat(rng.integers(0, classes, 40), rng.integers(4, 20, 40))
    logp = np.full((labels.size, classes), -4.0, np.float32)
    logp[np.arange(labels.size), labels] = -0.1
    logp += rng.normal(0, 1.0, logp.shape).astype(np.float32)
    bigram = np.log(np.full((classes, classes), 1 / classes, np.float32))
    whole = LoopDecoder(bigram, lag=10**6)
    whole.push(logp)
    online = LoopDecoder(bigram, lag=30)
    for start in range(0, labels.size, 4):
        online.push(logp[start : start + 4])
    a, b = _frame_labels(whole), _frame_labels(online)
    assert a.size == b.size == labels.size
    assert float(np.mean(a == b)) > 0.97
    assert float(np.mean(a == labels)) > 0.9


def test_frame_k_is_centred_on_k_hops() -> None:
    audio = np.zeros(features.RATE, np.float32)
    audio[8000] = 1.0  # an impulse at 0.5 s
    energy = features.log_mel(audio).max(axis=1)
    assert energy.size == features.frame_count(audio.size) == 200
    assert int(energy.argmax()) == round(0.5 / features.FRAME_SECONDS)


def test_resampling_keeps_times_and_tones() -> None:
    t = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = features.resample(tone, 44100)
    assert out.size == 16000
    expected = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    assert np.abs(out[200:2000] - expected[200:2000]).max() < 0.01


@pytest.mark.parametrize("frames", [1, 50, features.MEL_BLOCK + 7])
def test_mel_energies_equal_the_filter_bank_product(frames: int) -> None:
    power = np.random.default_rng(2).random((frames, features.FFT // 2 + 1)).astype(np.float32)
    expected = power @ features.mel_filters()
    np.testing.assert_allclose(features.mel_energies(power), expected, rtol=1e-5, atol=1e-6)

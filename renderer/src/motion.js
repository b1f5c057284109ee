// A timeline sampled into per-frame poses that read as alive: mouth shapes follow the
// service's per-frame weights (timeline.mouths) when the job carries them, else blend over
// BLEND seconds between cues instead of snapping, blinks come at natural random intervals from a seeded generator
// (the same input gives the same video), the gaze wanders, the head sways slowly.
//
// Poses are quantised on purpose (mouth parameters to a grid, tilt to a few levels) so frames
// repeat and the frame cache can skip most rasterisations; the breathing bob is returned apart
// as an integer pixel offset, applied by cropping, so it never defeats the cache. Browser-safe.

import { EXPRESSIONS, MOUTH_KEYS, MOUTHS, VISEMES } from './schema.js';
import { invalid, number } from './validate.js';

export const BLEND = 0.05;
const MOUTH_STEP = { open: 0.125, wide: 0.1, round: 0.25, teeth: 0.5, tongue: 0.5, press: 0.5, bite: 0.5 };
const BLINK = { close: 0.06, shut: 0.04, open: 0.1 };

/** mulberry32: a small, fast, seedable PRNG; returns () => [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of a string: the default seed is the hash of the timeline. */
export function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Validate a timeline {duration, visemes: [{viseme, start, end}], expressions: [[t, e]]}. */
export function validateTimeline(input, maxSeconds = 600) {
  if (input === null || typeof input !== 'object') throw invalid('timeline must be an object', 'timeline');
  const duration = number(input.duration, 'timeline.duration', 1e-6, maxSeconds);
  const cues = input.visemes ?? [];
  if (!Array.isArray(cues)) throw invalid('timeline.visemes must be a list', 'timeline.visemes');
  let previous = 0;
  const visemes = cues.map((cue, i) => {
    const field = `timeline.visemes[${i}]`;
    if (!cue || !VISEMES.includes(cue.viseme)) throw invalid(`${field}.viseme must be an oculus viseme`, field);
    const start = number(cue.start, `${field}.start`, 0, duration + 1e-3);
    const end = number(cue.end, `${field}.end`, start, duration + 1e-3);
    if (start < previous - 1e-6) throw invalid(`${field} overlaps the previous cue`, field);
    previous = end;
    return { viseme: cue.viseme, start, end };
  });
  const changes = input.expressions ?? [];
  if (!Array.isArray(changes)) throw invalid('timeline.expressions must be a list', 'timeline.expressions');
  const expressions = changes.map((change, i) => {
    const field = `timeline.expressions[${i}]`;
    if (!Array.isArray(change) || change.length !== 2) throw invalid(`${field} must be [seconds, expression]`, field);
    const t = number(change[0], field, 0, duration);
    if (!EXPRESSIONS.includes(change[1])) throw invalid(`${field} must name one of ${EXPRESSIONS.join(', ')}`, field);
    return [t, change[1]];
  }).sort((a, b) => a[0] - b[0]);
  const moves = input.gestures ?? [];
  if (!Array.isArray(moves)) throw invalid('timeline.gestures must be a list', 'timeline.gestures');
  const gestures = moves.map((move, i) => {
    const field = `timeline.gestures[${i}]`;
    if (!Array.isArray(move) || move.length !== 2) throw invalid(`${field} must be [seconds, gesture]`, field);
    const t = number(move[0], field, 0, duration);
    if (!(move[1] in GESTURES)) throw invalid(`${field} must name one of ${Object.keys(GESTURES).join(', ')}`, field);
    return [t, move[1]];
  }).sort((a, b) => a[0] - b[0]);
  const mouths = input.mouths === undefined || input.mouths === null ? null : validateMouths(input.mouths, duration);
  return { duration, visemes, expressions, gestures, mouths };
}

/**
 * Validate per-frame mouth weights {fps, names: [oculus visemes], frames: [[w, ...], ...]}
 * (row i at i / fps seconds, weights in [0, 1]): the curves the service computes, so the
 * renderer blends shapes exactly as they say rather than inventing its own transitions.
 */
export function validateMouths(input, duration) {
  if (input === null || typeof input !== 'object') throw invalid('timeline.mouths must be an object', 'timeline.mouths');
  const fps = number(input.fps, 'timeline.mouths.fps', 1, 1000);
  const names = input.names;
  if (!Array.isArray(names) || names.length === 0 || names.some((name) => !VISEMES.includes(name)) || new Set(names).size !== names.length) {
    throw invalid('timeline.mouths.names must list distinct oculus visemes', 'timeline.mouths.names');
  }
  const rows = input.frames;
  const most = Math.floor(duration * fps + 1e-9) + 2;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > most) {
    throw invalid(`timeline.mouths.frames must hold 1 to ${most} rows`, 'timeline.mouths.frames');
  }
  const frames = rows.map((row, i) => {
    const field = `timeline.mouths.frames[${i}]`;
    if (!Array.isArray(row) || row.length !== names.length) throw invalid(`${field} must hold a weight per name`, field);
    return row.map((w) => number(w, field, 0, 1));
  });
  return { fps, names, frames };
}

/** The mouth parameters of weights over visemes: the weighted mean of their shapes. */
export function blendMouth(names, weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = {};
  for (const key of MOUTH_KEYS) {
    if (total <= 0) { out[key] = MOUTHS.sil[key]; continue; }
    let value = 0;
    names.forEach((name, j) => { value += weights[j] * MOUTHS[name][key]; });
    out[key] = Math.round(quantise(value / total, MOUTH_STEP[key]) * 1000) / 1000;
  }
  return out;
}

function mouthFromCurves(t, mouths) {
  const row = Math.min(mouths.frames.length - 1, Math.max(0, Math.round(t * mouths.fps)));
  return blendMouth(mouths.names, mouths.frames[row]);
}

/** Gestures: head offsets (design px, whole pixels so frames repeat) over their length. */
export const GESTURES = {
  nod: { length: 0.9, at: (u) => ({ head_x: 0, head_y: Math.round(7 * Math.sin(2 * Math.PI * u * 2) ** 2), gaze_y: 0.25 }) },
  shake: { length: 1.2, at: (u) => ({ head_x: Math.round(9 * Math.sin(2 * Math.PI * u * 2.5) * (1 - u)), head_y: 0 }) },
  blink: { length: 0.2, at: () => ({ blink: 1 }) },
};

function gestureAt(t, gestures) {
  const out = {};
  for (const [start, name] of gestures) {
    const { length, at } = GESTURES[name];
    if (t >= start && t < start + length) Object.assign(out, at((t - start) / length));
  }
  return out;
}

function blinkTimes(duration, random) {
  const times = [];
  let t = 0.4 + random() * 2;
  while (t < duration) {
    times.push(t);
    if (random() < 0.15) times.push(t + 0.28); // a double blink now and then
    t += 2.2 + random() * 3.6;
  }
  return times;
}

function blinkAmount(t, times) {
  for (const start of times) {
    const dt = t - start;
    if (dt < 0) break;
    if (dt < BLINK.close) return dt / BLINK.close < 0.5 ? 0.5 : 1;
    if (dt < BLINK.close + BLINK.shut) return 1;
    if (dt < BLINK.close + BLINK.shut + BLINK.open) {
      return (dt - BLINK.close - BLINK.shut) / BLINK.open < 0.5 ? 0.5 : 0;
    }
  }
  return 0;
}

function quantise(value, step) {
  return Math.round(value / step) * step;
}

function mouthAt(t, cues, index) {
  const cue = cues[index];
  const shape = MOUTHS[cue ? cue.viseme : 'sil'];
  const prev = index > 0 ? MOUTHS[cues[index - 1].viseme] : MOUTHS.sil;
  const k = cue ? Math.min(1, (t - cue.start) / BLEND) : 1;
  const out = {};
  for (const key of MOUTH_KEYS) {
    out[key] = Math.round(quantise(prev[key] + (shape[key] - prev[key]) * k, MOUTH_STEP[key]) * 1000) / 1000;
  }
  return out;
}

/** Wandering gaze and slow head sway: piecewise constant, changing every 1.5-4 s. */
function idleTrack(duration, random) {
  const track = [];
  let t = 0;
  while (t < duration) {
    track.push({
      t,
      gaze_x: quantise((random() - 0.5) * 0.5, 0.125),
      gaze_y: quantise((random() - 0.5) * 0.3, 0.125),
      head_tilt: [-1.5, 0, 1.5][Math.floor(random() * 3)],
    });
    t += 1.5 + random() * 2.5;
  }
  return track;
}

/**
 * A sampler of a validated timeline: `at(i)` gives frame i's pose (a key for the cache) and
 * its bob offset in design pixels. `seed` fixes blinks and idle motion.
 */
export function sampler(timeline, { fps, seed, expression = 'neutral' }) {
  const random = rng(seed ?? hash(JSON.stringify(timeline)));
  const blinks = blinkTimes(timeline.duration, random);
  const idle = idleTrack(timeline.duration, random);
  const cues = timeline.visemes;
  let cue = 0;
  let still = 0;
  return {
    frames: Math.round(timeline.duration * fps),
    at(i) {
      const t = i / fps;
      while (cue < cues.length - 1 && t >= cues[cue].end) cue += 1;
      const inCue = cues.length > 0 && t >= cues[cue].start && t < cues[cue].end + 1e-9 ? cue : -1;
      while (still < idle.length - 1 && t >= idle[still + 1].t) still += 1;
      const { gaze_x, gaze_y, head_tilt } = idle[still];
      let current = expression;
      for (const [start, name] of timeline.expressions) if (start <= t) current = name;
      let mouth;
      if (timeline.mouths) mouth = mouthFromCurves(t, timeline.mouths);
      else mouth = inCue >= 0 ? mouthAt(t, cues, inCue) : mouthAt(t, [], -1);
      const pose = { mouth, blink: blinkAmount(t, blinks), expression: current, gaze_x, gaze_y, head_tilt, head_x: 0, head_y: 0 };
      Object.assign(pose, gestureAt(t, timeline.gestures ?? []));
      const bob = Math.sin((2 * Math.PI * t) / 4.2);
      return { pose, bob };
    },
  };
}

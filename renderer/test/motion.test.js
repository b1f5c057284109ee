import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampler, validateTimeline } from '../src/motion.js';

const timeline = validateTimeline({
  duration: 10,
  visemes: Array.from({ length: 100 }, (_, i) => ({ viseme: ['aa', 'PP', 'E', 'oh', 'SS'][i % 5], start: i / 10, end: (i + 1) / 10 })),
  expressions: [[5, 'happy']],
  gestures: [[2, 'nod']],
});

function poses(track) {
  return Array.from({ length: track.frames }, (_, i) => JSON.stringify(track.at(i)));
}

test('frame count is round(duration x fps)', () => {
  assert.equal(sampler(timeline, { fps: 30 }).frames, 300);
  assert.equal(sampler(validateTimeline({ duration: 0.53, visemes: [] }), { fps: 10 }).frames, 5);
});

test('the same timeline and seed give the same poses; another seed moves the blinks', () => {
  assert.deepEqual(poses(sampler(timeline, { fps: 30, seed: 7 })), poses(sampler(timeline, { fps: 30, seed: 7 })));
  assert.notDeepEqual(poses(sampler(timeline, { fps: 30, seed: 7 })), poses(sampler(timeline, { fps: 30, seed: 8 })));
});

test('blinks happen at intervals, not every frame', () => {
  const track = sampler(timeline, { fps: 30, seed: 1 });
  const shut = Array.from({ length: 300 }, (_, i) => track.at(i).pose.blink).filter((b) => b === 1).length;
  assert.ok(shut >= 1 && shut < 30, `shut frames: ${shut}`);
});

test('mouth shapes blend over ~50 ms instead of snapping', () => {
  const track = sampler(validateTimeline({ duration: 1, visemes: [{ viseme: 'sil', start: 0, end: 0.5 }, { viseme: 'aa', start: 0.5, end: 1 }] }), { fps: 100, seed: 1 });
  const open = [49, 50, 51, 52, 53, 55, 60].map((i) => track.at(i).pose.mouth.open);
  assert.equal(open[0], 0);
  assert.ok(open[2] > 0 && open[2] < 1, `mid-blend open ${open[2]}`);
  assert.equal(open[6], 1);
  assert.deepEqual([...open].sort((a, b) => a - b), open);
});

test('scheduled expressions and gestures reach the poses', () => {
  const track = sampler(timeline, { fps: 10, seed: 1 });
  assert.equal(track.at(10).pose.expression, 'neutral');
  assert.equal(track.at(60).pose.expression, 'happy');
  const nodding = Array.from({ length: 10 }, (_, i) => track.at(20 + i).pose.head_y);
  assert.ok(Math.max(...nodding) > 0);
});

test('poses repeat: a 10 s clip has far fewer distinct poses than frames', () => {
  const track = sampler(timeline, { fps: 30, seed: 3 });
  const distinct = new Set(Array.from({ length: 300 }, (_, i) => JSON.stringify(track.at(i).pose)));
  assert.ok(distinct.size < 120, `distinct poses: ${distinct.size}`);
});

test('bad timelines are refused with the field named', () => {
  assert.throws(() => validateTimeline({ duration: 0 }), (e) => e.field === 'timeline.duration');
  assert.throws(() => validateTimeline({ duration: 1, visemes: [{ viseme: 'X', start: 0, end: 1 }] }), (e) => e.field === 'timeline.visemes[0]');
  assert.throws(() => validateTimeline({ duration: 1, expressions: [[0.5, 'bored']] }), (e) => e.field === 'timeline.expressions[0]');
  assert.throws(() => validateTimeline({ duration: 1, gestures: [[0.5, 'dance']] }), (e) => e.field === 'timeline.gestures[0]');
});

test('per-frame mouth weights drive the mouth: closed on PP, open on aa, halfway between', () => {
  const mouths = { fps: 10, names: ['sil', 'PP', 'aa'], frames: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0, 0.5], [1, 0, 0]] };
  const track = sampler(validateTimeline({ duration: 0.4, visemes: [{ viseme: 'aa', start: 0, end: 0.4 }], mouths }), { fps: 10, seed: 1 });
  const mouth = (i) => track.at(i).pose.mouth;
  assert.equal(mouth(0).open, 0);
  assert.deepEqual([mouth(1).open, mouth(1).press], [0, 1]);
  assert.equal(mouth(2).open, 1);
  assert.equal(mouth(3).open, 0.5);
  assert.equal(mouth(4).open, 0, 'the clip ends at rest');
});

test('bad mouth weights are refused with the field named', () => {
  const base = { duration: 0.2, visemes: [] };
  assert.throws(() => validateTimeline({ ...base, mouths: { fps: 10, names: ['XX'], frames: [[1]] } }), (e) => e.field === 'timeline.mouths.names');
  assert.throws(() => validateTimeline({ ...base, mouths: { fps: 10, names: ['sil'], frames: [[2]] } }), (e) => e.field === 'timeline.mouths.frames[0]');
  assert.throws(() => validateTimeline({ ...base, mouths: { fps: 10, names: ['sil'], frames: Array(10).fill([1]) } }), (e) => e.field === 'timeline.mouths.frames');
});

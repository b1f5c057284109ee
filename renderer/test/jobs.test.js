import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avatarSvg } from '../src/avatar.js';
import { createJobs, DEFAULT_CACHE_MB } from '../src/jobs.js';
import { rasterise } from '../src/raster.js';
import { MOUTHS } from '../src/schema.js';
import { validateState } from '../src/validate.js';

test('a composed frame (face + mouth window) equals rasterising the whole pose', () => {
  const { composed } = createJobs();
  const state = validateState({ hair_style: 'curly', accessories: ['glasses', 'earrings', 'headphones'] });
  const cases = [['aa', { head_tilt: 1.5 }], ['oh', { head_x: -9 }], ['E', { head_y: 7, expression: 'happy' }],
    ['ou', { expression: 'thinking', head_tilt: -1.5 }], ['FF', { expression: 'surprised', blink: 1 }]];
  for (const [viseme, extra] of cases) {
    for (const [width, height] of [[512, 512], [320, 180], [96, 64]]) {
      const pose = { mouth: { ...MOUTHS[viseme] }, blink: 0, expression: 'neutral', gaze_x: 0.1, gaze_y: 0, head_tilt: 0, head_x: 0, head_y: 0, ...extra };
      const mine = composed(state, 'test', pose, width, height).pixels;
      const whole = rasterise(avatarSvg(state, pose, { width, height })).pixels;
      let worst = 0;
      for (let i = 0; i < whole.length; i += 1) worst = Math.max(worst, Math.abs(mine[i] - whole[i]));
      assert.ok(worst <= 4, `${viseme} ${width}x${height}: a channel differs by ${worst}`);
    }
  }
});

test('the frame cache is bounded by the size its caller passes in, not by the environment', () => {
  const MB = 1024 * 1024;
  process.env.AVATAR_RENDERER_CACHE_MB = '1';
  const roomy = createJobs();
  const tight = createJobs({ cacheMb: 0.5 });
  delete process.env.AVATAR_RENDERER_CACHE_MB;
  assert.equal(roomy.cache.maxBytes, DEFAULT_CACHE_MB * MB);
  assert.equal(tight.cache.maxBytes, 0.5 * MB);
  const state = validateState({});
  for (const viseme of ['aa', 'oh', 'E', 'ou', 'FF', 'PP']) {
    for (const blink of [0, 1]) {
      const pose = { mouth: { ...MOUTHS[viseme] }, blink, expression: 'neutral', gaze_x: 0, gaze_y: 0, head_tilt: 0, head_x: 0, head_y: 0 };
      roomy.composed(state, 'cap', pose, 256, 256);
      tight.composed(state, 'cap', pose, 256, 256);
    }
  }
  // 256 x 256 RGBA faces are 0.25 MB each: the tight cache keeps two, the roomy one keeps all.
  assert.ok(tight.cache.bytes <= 0.5 * MB, `${tight.cache.bytes} bytes kept`);
  assert.ok(roomy.cache.bytes > 0.5 * MB, `${roomy.cache.bytes} bytes kept`);
  assert.ok(tight.cache.misses > roomy.cache.misses);
});

test('a cache size that is not a positive number is refused, naming cache_mb', () => {
  for (const cacheMb of [0, -1, Number.NaN, Infinity, '96']) {
    assert.throws(() => createJobs({ cacheMb }), (error) => error.code === 'invalid' && error.field === 'cache_mb');
  }
});

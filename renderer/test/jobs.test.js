import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avatarSvg } from '../src/avatar.js';
import { composed } from '../src/jobs.js';
import { rasterise } from '../src/raster.js';
import { MOUTHS } from '../src/schema.js';
import { validateState } from '../src/validate.js';

test('a composed frame (face + mouth window) equals rasterising the whole pose', () => {
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

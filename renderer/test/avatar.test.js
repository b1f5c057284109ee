import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { avatarSvg } from '../src/avatar.js';
import { rasterise } from '../src/raster.js';
import { ACCESSORIES, CLOTHING_STYLES, EXPRESSIONS, HAIR_STYLES, VISEMES } from '../src/schema.js';

const presets = JSON.parse(readFileSync(new URL('../presets/characters.json', import.meta.url)));

function renders(svg, width = 64, height = 64) {
  const image = rasterise(svg);
  assert.equal(image.width, width);
  assert.equal(image.height, height);
  return image;
}

test('every oculus viseme renders, and open visemes differ from silence', () => {
  const silent = avatarSvg({}, { viseme: 'sil' });
  for (const viseme of VISEMES) {
    const svg = avatarSvg({}, { viseme }, { width: 64, height: 64 });
    renders(svg);
    if (['aa', 'E', 'oh'].includes(viseme)) assert.notEqual(avatarSvg({}, { viseme }), silent);
  }
});

test('every expression renders differently from neutral', () => {
  const neutral = avatarSvg({}, {});
  for (const expression of EXPRESSIONS) {
    renders(avatarSvg({}, { expression }, { width: 64, height: 64 }));
    if (expression !== 'neutral') assert.notEqual(avatarSvg({}, { expression }), neutral, expression);
  }
});

test('every hair style, clothing style and accessory renders', () => {
  for (const hair_style of HAIR_STYLES) renders(avatarSvg({ hair_style }, {}, { width: 64, height: 64 }));
  for (const clothing_style of CLOTHING_STYLES) renders(avatarSvg({ clothing_style }, {}, { width: 64, height: 64 }));
  renders(avatarSvg({ accessories: ACCESSORIES }, { blink: 1, gaze_x: 1, head_tilt: -20 }, { width: 64, height: 64 }));
});

test('at least four distinct preset characters render', () => {
  const svgs = Object.values(presets).map((p) => avatarSvg(p.state, {}));
  assert.ok(svgs.length >= 4);
  assert.equal(new Set(svgs).size, svgs.length);
});

test('the image has exactly the requested size, both orientations', () => {
  renders(avatarSvg({}, {}, { width: 96, height: 64 }), 96, 64);
  renders(avatarSvg({}, {}, { width: 64, height: 96 }), 64, 96);
});

test('colours that are not #rrggbb are refused, so markup cannot be injected', () => {
  const attacks = ['red', '#fff" onload="alert(1)', '#12345g', '</svg><script>', 'url(#x)', 42, null];
  for (const value of attacks) {
    assert.throws(() => avatarSvg({ hair_color: value }, {}), (e) => e.code === 'invalid' && e.field === 'state.hair_color');
  }
  assert.throws(() => avatarSvg({ background: 'transparent"' }, {}), /state.background/);
});

test('enums, ranges and unknown fields are refused with the field named', () => {
  assert.throws(() => avatarSvg({ hair_style: 'mohawk' }, {}), (e) => e.field === 'state.hair_style');
  assert.throws(() => avatarSvg({ accessories: ['cape'] }, {}), (e) => e.field === 'state.accessories');
  assert.throws(() => avatarSvg({}, { viseme: 'zz' }), (e) => e.field === 'pose.viseme');
  assert.throws(() => avatarSvg({}, { blink: 2 }), (e) => e.field === 'pose.blink');
  assert.throws(() => avatarSvg({}, { head_tilt: Number.NaN }), (e) => e.field === 'pose.head_tilt');
  assert.throws(() => avatarSvg({ onclick: 'x' }, {}), (e) => e.field === 'state.onclick');
});

test('the title is escaped', () => {
  const svg = avatarSvg({ title: '<script>alert("x")</script> & co' }, {});
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
  renders(avatarSvg({ title: '<b>"&' }, {}, { width: 64, height: 64 }));
});

test('transparent background leaves the corners transparent', () => {
  const image = rasterise(avatarSvg({ background: 'transparent' }, {}, { width: 64, height: 64 }));
  assert.equal(image.pixels[3], 0);
});

test('avatar.js and what it imports use no Node APIs (browser-safe)', () => {
  for (const name of ['avatar.js', 'face.js', 'hair.js', 'wardrobe.js', 'color.js', 'schema.js', 'validate.js', 'motion.js']) {
    const source = readFileSync(new URL(`../src/${name}`, import.meta.url), 'utf8');
    assert.doesNotMatch(source, /from 'node:|require\(|process\.|Buffer/, name);
  }
});

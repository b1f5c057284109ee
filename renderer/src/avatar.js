// (avatar state, pose) -> SVG string. Pure and browser-safe (no Node APIs), so a web page can
// draw the very same avatar live:  import { avatarSvg } from './avatar.js'.
//
// Everything is drawn in a 512x512 design space and fitted into width x height (extra room goes
// to the sides, or above the head). State and pose are validated first; the only free text,
// state.title, is escaped; every other value interpolated is a validated colour, an enum chosen
// from a fixed table, or a number.

import { esc, n, shade } from './color.js';
import { brows, EXPRESSION_TRAITS, eyes, irisGradient, mouth } from './face.js';
import { hairBack, hairFront } from './hair.js';
import { validatePose, validateState } from './validate.js';
import { accessoriesFront, clothingBack, clothingFront, TORSO } from './wardrobe.js';

const FACE = 'M256 116 C322 116 354 160 354 224 C354 270 338 302 312 322 C294 336 274 344 256 344 C238 344 218 336 200 322 C174 302 158 270 158 224 C158 160 190 116 256 116Z';
const PIVOT = [256, 360];

function background(state, id, box) {
  const rect = `x="${n(box.x)}" y="${n(box.y)}" width="${n(box.w)}" height="${n(box.h)}"`;
  if (state.background === 'transparent') return { defs: '', body: '' };
  const from = state.background;
  const to = state.background_to ?? shade(from, -0.08);
  return {
    defs: `<linearGradient id="${id}-bg" x1="0" y1="0" x2="0.35" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient>`
      + `<radialGradient id="${id}-glow" cx="0.5" cy="0.45" r="0.5"><stop offset="0" stop-color="#ffffff" stop-opacity="0.35"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>`,
    body: `<rect ${rect} fill="url(#${id}-bg)"/><circle cx="256" cy="250" r="250" fill="url(#${id}-glow)"/>`,
  };
}

function gradients(state, id) {
  const skin = state.skin_tone;
  const hair = state.hair_color;
  const cloth = state.clothing_color;
  return [
    `<radialGradient id="${id}-skin" cx="0.4" cy="0.35" r="0.75"><stop offset="0" stop-color="${shade(skin, 0.14)}"/><stop offset="0.7" stop-color="${skin}"/><stop offset="1" stop-color="${shade(skin, -0.16)}"/></radialGradient>`,
    `<linearGradient id="${id}-neck" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${shade(skin, -0.3)}"/><stop offset="0.45" stop-color="${shade(skin, -0.08)}"/><stop offset="1" stop-color="${skin}"/></linearGradient>`,
    `<linearGradient id="${id}-hair" x1="0.2" y1="0" x2="0.6" y2="1"><stop offset="0" stop-color="${shade(hair, 0.22)}"/><stop offset="0.55" stop-color="${hair}"/><stop offset="1" stop-color="${shade(hair, -0.25)}"/></linearGradient>`,
    `<linearGradient id="${id}-cloth" x1="0" y1="0" x2="0.3" y2="1"><stop offset="0" stop-color="${shade(cloth, 0.16)}"/><stop offset="0.5" stop-color="${cloth}"/><stop offset="1" stop-color="${shade(cloth, -0.3)}"/></linearGradient>`,
    `<radialGradient id="${id}-shadow" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#000" stop-opacity="0.28"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`,
    `<radialGradient id="${id}-blush" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#ff6f7d" stop-opacity="1"/><stop offset="1" stop-color="#ff6f7d" stop-opacity="0"/></radialGradient>`,
    irisGradient(state, id),
  ].join('');
}

/** The viewBox showing the 512x512 design inside width x height (extra room: sides or top). */
export function viewBox(width, height) {
  const w = 512 * Math.max(1, width / height);
  const h = 512 * Math.max(1, height / width);
  return { x: 256 - w / 2, y: 512 - h, w, h };
}

/**
 * The avatar as an SVG document of exactly `width` x `height`.
 * @param {object} stateInput avatar state (see schema.DEFAULT_STATE); validated here
 * @param {object} poseInput one frame's pose (see schema.DEFAULT_POSE); validated here
 * @param {{width?: number, height?: number, id?: string, crop?: object}} options id prefixes
 *   element ids; crop {x, y, w, h} (pixels of the width x height image) renders only that
 *   window, on the same pixel grid, so it can be pasted over a full frame; layer 'face' leaves
 *   the mouth out, 'mouth' draws only the mouth (on transparency), 'all' (default) everything
 */
export function avatarSvg(stateInput, poseInput, { width = 512, height = 512, id = 'av', crop = null, layer = 'all' } = {}) {
  const state = validateState(stateInput);
  const pose = validatePose(poseInput);
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(id)) throw new Error('id must be a short XML name');
  const expression = pose.expression ?? state.expression;
  const traits = EXPRESSION_TRAITS[expression];
  const box = viewBox(width, height);
  const bg = background(state, id, box);
  const scale = width / box.w;
  const view = crop
    ? { x: box.x + crop.x / scale, y: box.y + crop.y / scale, w: crop.w / scale, h: crop.h / scale }
    : box;
  const skin = state.skin_tone;
  const hairDark = shade(state.hair_color, -0.35);
  const bob = pose.breath * 1.6;
  const head = `translate(${n(pose.head_x)} ${n(bob * 1.2 + pose.head_y)}) rotate(${n(pose.head_tilt)} ${PIVOT[0]} ${PIVOT[1]})`;
  const hairFill = `url(#${id}-hair)`;
  const title = state.title ? `<title>${esc(state.title)}</title>` : '';
  const svgOpen = `<svg xmlns="http://www.w3.org/2000/svg" width="${crop ? crop.w : width}" height="${crop ? crop.h : height}" viewBox="${view.x} ${view.y} ${view.w} ${view.h}">`;
  if (layer === 'mouth') {
    return `${svgOpen}<g transform="${head}">${mouth(state, pose, traits, id)}</g></svg>`;
  }
  return [
    svgOpen,
    title,
    `<defs>${bg.defs}${gradients(state, id)}</defs>`,
    bg.body,
    `<ellipse cx="256" cy="508" rx="230" ry="40" fill="url(#${id}-shadow)"/>`,
    `<g transform="translate(0 ${n(bob)})">`,
    clothingBack(state.clothing_style, state.clothing_color),
    `<path d="${TORSO}" fill="url(#${id}-cloth)"/>`,
    `<path d="M96 452 C110 430 150 414 186 406" fill="none" stroke="#fff" stroke-width="6" opacity="0.08" stroke-linecap="round"/>`,
    '</g>',
    `<g transform="${head}">${hairBack(state.hair_style, hairFill, hairDark)}</g>`,
    `<g transform="translate(0 ${n(bob)})">`,
    `<path d="M228 290 L284 290 C284 330 288 370 294 392 Q256 412 218 392 C224 370 228 330 228 290Z" fill="url(#${id}-neck)"/>`,
    clothingFront(state.clothing_style, state.clothing_color),
    '</g>',
    `<g transform="${head}">`,
    ...[160, 352].map((x) => `<ellipse cx="${x}" cy="236" rx="17" ry="27" fill="${shade(skin, -0.06)}"/><ellipse cx="${x}" cy="238" rx="8" ry="15" fill="${shade(skin, -0.2)}" opacity="0.6"/>`),
    `<path d="${FACE}" fill="url(#${id}-skin)"/>`,
    `<path d="M200 322 C218 336 238 344 256 344 C274 344 294 336 312 322 C296 346 276 356 256 356 C236 356 216 346 200 322Z" fill="#000" opacity="0.06"/>`,
    ...[196, 316].map((x) => `<ellipse cx="${x}" cy="276" rx="24" ry="13" fill="url(#${id}-blush)" opacity="${n(traits.blush)}"/>`),
    brows(state, traits),
    eyes(state, pose, traits, id),
    `<path d="M252 240 C250 256 244 266 244 272 C248 278 264 278 268 272" fill="none" stroke="${shade(skin, -0.24)}" stroke-width="2.6" stroke-linecap="round"/>`,
    `<ellipse cx="260" cy="258" rx="3" ry="9" fill="#fff" opacity="0.14"/>`,
    layer === 'face' ? '' : mouth(state, pose, traits, id),
    hairFront(state.hair_style, hairFill, hairDark),
    accessoriesFront(state, id),
    '</g>',
    '</svg>',
  ].join('');
}

const MOUTH_BOX = { x0: 198, y0: 268, x1: 314, y1: 354 };

/**
 * The pixel window (with `margin` extra pixels all round) that holds the mouth for any mouth
 * shape, given the rest of the pose: the only part of a frame that lip sync changes.
 */
export function mouthWindow(pose, width, height, margin = 3) {
  const box = viewBox(width, height);
  const scale = width / box.w;
  const angle = ((pose.head_tilt ?? 0) * Math.PI) / 180;
  const xs = [];
  const ys = [];
  for (const [x, y] of [[MOUTH_BOX.x0, MOUTH_BOX.y0], [MOUTH_BOX.x1, MOUTH_BOX.y0], [MOUTH_BOX.x0, MOUTH_BOX.y1], [MOUTH_BOX.x1, MOUTH_BOX.y1]]) {
    const dx = x - PIVOT[0];
    const dy = y - PIVOT[1];
    xs.push(PIVOT[0] + dx * Math.cos(angle) - dy * Math.sin(angle) + (pose.head_x ?? 0));
    ys.push(PIVOT[1] + dx * Math.sin(angle) + dy * Math.cos(angle) + (pose.head_y ?? 0) + (pose.breath ?? 0) * 1.92);
  }
  const x0 = Math.max(0, Math.floor((Math.min(...xs) - box.x) * scale) - margin);
  const y0 = Math.max(0, Math.floor((Math.min(...ys) - box.y) * scale) - margin);
  const x1 = Math.min(width, Math.ceil((Math.max(...xs) - box.x) * scale) + margin);
  const y1 = Math.min(height, Math.ceil((Math.max(...ys) - box.y) * scale) + margin);
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

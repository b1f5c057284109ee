// Validation of avatar state and pose: every value that reaches the SVG is checked here first
// (hex colours, enums, finite numbers in range). Browser-safe.

import {
  ACCESSORIES, BROW_STYLES, CLOTHING_STYLES, DEFAULT_POSE, DEFAULT_STATE, EXPRESSIONS,
  HAIR_STYLES, MOUTH_RANGES, VISEMES, VOICE_GENDERS, VOICE_PREFERENCES,
} from './schema.js';

/** An error with a machine-readable `code` (`invalid`, `unavailable`, `internal`). */
export class RenderError extends Error {
  constructor(code, message, field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const MAX_TITLE = 200;

export function invalid(message, field) {
  return new RenderError('invalid', message, field);
}

function color(value, field, { transparent = false } = {}) {
  if (transparent && value === 'transparent') return value;
  if (typeof value !== 'string' || !HEX.test(value)) {
    const allowed = transparent ? "a #rrggbb colour or 'transparent'" : 'a #rrggbb colour';
    throw invalid(`${field} must be ${allowed}, got ${JSON.stringify(value)}`, field);
  }
  return value.toLowerCase();
}

function oneOf(options, value, field) {
  if (!options.includes(value)) {
    throw invalid(`${field} must be one of ${options.join(', ')}; got ${JSON.stringify(value)}`, field);
  }
  return value;
}

export function number(value, field, low, high) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
    throw invalid(`${field} must be a number from ${low} to ${high}, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

export function integer(value, field, low, high) {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw invalid(`${field} must be an integer from ${low} to ${high}, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

function plainObject(value, field) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${field} must be an object`, field);
  }
  return value;
}

function noUnknown(data, known, prefix) {
  for (const key of Object.keys(data)) {
    if (!(key in known)) throw invalid(`unknown field ${prefix}.${key}`, `${prefix}.${key}`);
  }
}

/** A complete, validated state: defaults filled in, colours lowercased. Throws `invalid`. */
export function validateState(input = {}) {
  const data = plainObject(input, 'state');
  noUnknown(data, { ...DEFAULT_STATE, ...VOICE_PREFERENCES }, 'state');
  if (data.voice_gender != null) oneOf(VOICE_GENDERS, data.voice_gender, 'state.voice_gender');
  if (data.voice_language != null && typeof data.voice_language !== 'string') {
    throw invalid('state.voice_language must be a language code', 'state.voice_language');
  }
  const s = { ...DEFAULT_STATE, ...data };
  const accessories = s.accessories;
  if (!Array.isArray(accessories)) throw invalid('state.accessories must be a list', 'state.accessories');
  for (const item of accessories) oneOf(ACCESSORIES, item, 'state.accessories');
  if (new Set(accessories).size !== accessories.length) {
    throw invalid('state.accessories lists an item twice', 'state.accessories');
  }
  if (typeof s.title !== 'string' || s.title.length > MAX_TITLE) {
    throw invalid(`state.title must be text of at most ${MAX_TITLE} characters`, 'state.title');
  }
  return {
    skin_tone: color(s.skin_tone, 'state.skin_tone'),
    hair_style: oneOf(HAIR_STYLES, s.hair_style, 'state.hair_style'),
    hair_color: color(s.hair_color, 'state.hair_color'),
    eye_color: color(s.eye_color, 'state.eye_color'),
    brow_style: oneOf(BROW_STYLES, s.brow_style, 'state.brow_style'),
    clothing_style: oneOf(CLOTHING_STYLES, s.clothing_style, 'state.clothing_style'),
    clothing_color: color(s.clothing_color, 'state.clothing_color'),
    accessories: [...accessories],
    background: color(s.background, 'state.background', { transparent: true }),
    background_to: s.background_to === null ? null : color(s.background_to, 'state.background_to'),
    expression: oneOf(EXPRESSIONS, s.expression, 'state.expression'),
    title: s.title,
  };
}

/** A complete, validated pose (see DEFAULT_POSE). Throws `invalid`. */
export function validatePose(input = {}) {
  const data = plainObject(input, 'pose');
  noUnknown(data, DEFAULT_POSE, 'pose');
  const p = { ...DEFAULT_POSE, ...data };
  return {
    viseme: oneOf(VISEMES, p.viseme, 'pose.viseme'),
    viseme_to: p.viseme_to === null ? null : oneOf(VISEMES, p.viseme_to, 'pose.viseme_to'),
    blend: number(p.blend, 'pose.blend', 0, 1),
    blink: number(p.blink, 'pose.blink', 0, 1),
    expression: p.expression === null ? null : oneOf(EXPRESSIONS, p.expression, 'pose.expression'),
    gaze_x: number(p.gaze_x, 'pose.gaze_x', -1, 1),
    gaze_y: number(p.gaze_y, 'pose.gaze_y', -1, 1),
    head_tilt: number(p.head_tilt, 'pose.head_tilt', -20, 20),
    breath: number(p.breath, 'pose.breath', -1, 1),
    head_x: number(p.head_x, 'pose.head_x', -20, 20),
    head_y: number(p.head_y, 'pose.head_y', -20, 20),
    mouth: p.mouth === null ? null : mouthParams(p.mouth),
  };
}

function mouthParams(input) {
  const data = plainObject(input, 'pose.mouth');
  noUnknown(data, MOUTH_RANGES, 'pose.mouth');
  const out = {};
  for (const [key, [low, high]] of Object.entries(MOUTH_RANGES)) {
    if (!(key in data)) throw invalid(`pose.mouth.${key} is missing`, `pose.mouth.${key}`);
    out[key] = number(data[key], `pose.mouth.${key}`, low, high);
  }
  return out;
}

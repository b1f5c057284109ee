// The vocabulary of the renderer: enums, defaults and the 15 oculus visemes. Browser-safe.

export const HAIR_STYLES = ['short', 'long', 'bob', 'curly', 'bun', 'ponytail', 'buzz', 'bald'];
export const BROW_STYLES = ['natural', 'thick', 'thin', 'arched'];
export const CLOTHING_STYLES = ['tshirt', 'shirt', 'hoodie', 'blazer'];
export const ACCESSORIES = ['glasses', 'sunglasses', 'earrings', 'headphones', 'hat'];
export const EXPRESSIONS = ['neutral', 'happy', 'sad', 'surprised', 'angry', 'thinking'];
export const VISEMES = [
  'sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'ih', 'oh', 'ou',
];
export const IMAGE_FORMATS = ['png', 'jpeg', 'webp'];
export const VIDEO_FORMATS = ['mp4', 'webm', 'gif'];
export const MAX_SIDE = 4096;

export const DEFAULT_STATE = Object.freeze({
  skin_tone: '#e0ac69',
  hair_style: 'short',
  hair_color: '#3b2a1a',
  eye_color: '#4a6fa5',
  brow_style: 'natural',
  clothing_style: 'tshirt',
  clothing_color: '#2f5d8a',
  accessories: [],
  background: '#eef2f7',
  background_to: null,
  expression: 'neutral',
  title: '',
});

// The voice an avatar asks for: part of its state (core/avatar.py), not of its drawing.
export const VOICE_PREFERENCES = Object.freeze({ voice_gender: null, voice_language: null });
export const VOICE_GENDERS = ['female', 'male'];

export const DEFAULT_POSE = Object.freeze({
  viseme: 'sil',
  viseme_to: null,
  blend: 0,
  blink: 0,
  expression: null,
  gaze_x: 0,
  gaze_y: 0,
  head_tilt: 0,
  breath: 0,
  head_x: 0,
  head_y: 0,
  mouth: null,
});

export const MOUTH_KEYS = ['open', 'wide', 'round', 'teeth', 'tongue', 'press', 'bite'];
export const MOUTH_RANGES = { open: [0, 1], wide: [0.5, 1.3], round: [0, 1], teeth: [0, 1], tongue: [0, 1], press: [0, 1], bite: [0, 1] };

/**
 * Mouth shape of each oculus viseme: open (jaw, 0..1), wide (x normal width), round (pucker),
 * teeth (upper teeth showing), tongue, press (lips pressed together), bite (lower lip under
 * the upper teeth, for F/V).
 */
export const MOUTHS = Object.freeze({
  sil: { open: 0, wide: 1, round: 0, teeth: 0, tongue: 0, press: 0, bite: 0 },
  PP: { open: 0, wide: 0.92, round: 0.1, teeth: 0, tongue: 0, press: 1, bite: 0 },
  FF: { open: 0.14, wide: 1, round: 0, teeth: 1, tongue: 0, press: 0, bite: 1 },
  TH: { open: 0.24, wide: 1, round: 0, teeth: 0.7, tongue: 1, press: 0, bite: 0 },
  DD: { open: 0.32, wide: 1, round: 0, teeth: 0.8, tongue: 0.5, press: 0, bite: 0 },
  kk: { open: 0.4, wide: 0.98, round: 0, teeth: 0.5, tongue: 0.3, press: 0, bite: 0 },
  CH: { open: 0.3, wide: 0.8, round: 0.45, teeth: 0.9, tongue: 0, press: 0, bite: 0 },
  SS: { open: 0.16, wide: 1.08, round: 0, teeth: 1, tongue: 0, press: 0, bite: 0 },
  nn: { open: 0.26, wide: 1, round: 0, teeth: 0.6, tongue: 0.6, press: 0, bite: 0 },
  RR: { open: 0.3, wide: 0.82, round: 0.55, teeth: 0.4, tongue: 0.2, press: 0, bite: 0 },
  aa: { open: 1, wide: 1.06, round: 0, teeth: 0.5, tongue: 0.4, press: 0, bite: 0 },
  E: { open: 0.58, wide: 1.16, round: 0, teeth: 0.8, tongue: 0.3, press: 0, bite: 0 },
  ih: { open: 0.42, wide: 1.2, round: 0, teeth: 0.9, tongue: 0.2, press: 0, bite: 0 },
  oh: { open: 0.78, wide: 0.74, round: 0.85, teeth: 0.2, tongue: 0.2, press: 0, bite: 0 },
  ou: { open: 0.46, wide: 0.6, round: 1, teeth: 0, tongue: 0, press: 0, bite: 0 },
});

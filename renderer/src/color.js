// Colour arithmetic on validated #rrggbb strings, and XML escaping. Browser-safe.

function channels(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function toHex(rgb) {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;
}

/** `a` mixed with `b`: t = 0 gives a, 1 gives b. */
export function mix(a, b, t) {
  const x = channels(a);
  const y = channels(b);
  return toHex(x.map((c, i) => c + (y[i] - c) * t));
}

/** Lighter (amount > 0, towards white) or darker (amount < 0, towards black). */
export function shade(hex, amount) {
  return amount >= 0 ? mix(hex, '#ffffff', amount) : mix(hex, '#000000', -amount);
}

/** Perceived brightness 0..1. */
export function luminance(hex) {
  const [r, g, b] = channels(hex);
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an XML attribute or element. Everything interpolated goes through it. */
export function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number for an SVG attribute: finite, two decimals. */
export function n(value) {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return Math.round(value * 100) / 100;
}

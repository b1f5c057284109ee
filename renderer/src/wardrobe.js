// Clothing per style and accessories. SVG fragments in the 512x512 design space. Browser-safe.

import { shade } from './color.js';

/** The torso: shoulders to the bottom edge (drawn far below 512 for tall images). */
export const TORSO = 'M40 1200 L40 500 C44 436 104 404 186 392 L226 386 Q256 404 286 386 L326 392 C408 404 468 436 472 500 L472 1200Z';

/** What goes behind the neck (a hood). */
export function clothingBack(style, color) {
  if (style !== 'hoodie') return '';
  return `<path d="M170 404 C176 350 210 330 256 330 C302 330 336 350 342 404 Z" fill="${shade(color, -0.25)}"/>`;
}

/** Collar and details over the torso and neck. */
export function clothingFront(style, color) {
  const dark = shade(color, -0.28);
  const light = shade(color, 0.18);
  switch (style) {
    case 'shirt':
      return `<path d="M226 384 L256 420 L286 384 L300 392 L262 446 L250 446 L212 392Z" fill="${shade(color, 0.1)}"/>`
        + `<path d="M256 420 L256 512" stroke="${dark}" stroke-width="2"/>`
        + [440, 476, 508].map((y) => `<circle cx="256" cy="${y}" r="3" fill="${shade(color, 0.4)}"/>`).join('')
        + `<path d="M226 384 L208 420 L248 430 Z M286 384 L304 420 L264 430 Z" fill="${light}" stroke="${dark}" stroke-width="1.5"/>`;
    case 'hoodie':
      return `<path d="M196 398 C214 432 298 432 316 398" fill="none" stroke="${dark}" stroke-width="6" stroke-linecap="round"/>`
        + `<path d="M236 424 L232 480 M276 424 L280 480" stroke="#f1f1f1" stroke-width="3.5" stroke-linecap="round"/>`
        + '<circle cx="232" cy="482" r="3.5" fill="#f1f1f1"/><circle cx="280" cy="482" r="3.5" fill="#f1f1f1"/>';
    case 'blazer':
      return '<path d="M222 388 L256 470 L290 388 Z" fill="#f4f5f7"/>'
        + `<path d="M232 392 L256 440 L280 392" fill="none" stroke="${shade(color, -0.45)}" stroke-width="0"/>`
        + `<path d="M220 386 L190 410 L214 430 L204 446 L256 520 L236 440 Z" fill="${dark}"/>`
        + `<path d="M292 386 L322 410 L298 430 L308 446 L256 520 L276 440 Z" fill="${dark}"/>`
        + `<circle cx="262" cy="520" r="4" fill="${shade(color, -0.5)}"/>`;
    default:
      return `<path d="M218 388 C226 412 286 412 294 388" fill="none" stroke="${dark}" stroke-width="7" stroke-linecap="round"/>`;
  }
}

/** Accessories over the face (glasses) and head (hat, headphones). */
export function accessoriesFront(state, id) {
  const has = new Set(state.accessories);
  const parts = [];
  if (has.has('sunglasses')) {
    parts.push(
      `<defs><linearGradient id="${id}-shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1d2430"/><stop offset="1" stop-color="#3c4a5e"/></linearGradient></defs>`,
      ...[218, 294].map((x) => `<rect x="${x - 30}" y="208" width="60" height="40" rx="14" fill="url(#${id}-shade)" stroke="#111" stroke-width="4"/><path d="M${x - 20} 218 L${x - 8} 218" stroke="#fff" stroke-width="4" opacity="0.35" stroke-linecap="round"/>`),
      '<path d="M248 224 Q256 218 264 224" fill="none" stroke="#111" stroke-width="4"/>',
      '<path d="M188 220 L162 226 M324 220 L350 226" stroke="#111" stroke-width="4"/>',
    );
  } else if (has.has('glasses')) {
    parts.push(
      ...[218, 294].map((x) => `<rect x="${x - 30}" y="208" width="60" height="42" rx="16" fill="#dfeeff" fill-opacity="0.18" stroke="#23262d" stroke-width="4"/><path d="M${x - 18} 216 L${x - 6} 214" stroke="#fff" stroke-width="3" opacity="0.5" stroke-linecap="round"/>`),
      '<path d="M248 226 Q256 219 264 226" fill="none" stroke="#23262d" stroke-width="4"/>',
      '<path d="M188 222 L162 228 M324 222 L350 228" stroke="#23262d" stroke-width="4"/>',
    );
  }
  if (has.has('earrings')) {
    parts.push(...[156, 356].map((x) => `<circle cx="${x}" cy="270" r="6" fill="#e6b844" stroke="#a07818" stroke-width="1.5"/><circle cx="${x - 1.5}" cy="268" r="1.8" fill="#fff7d0"/>`));
  }
  if (has.has('hat')) {
    const hat = shade(state.clothing_color, -0.1);
    parts.push(
      `<path d="M150 178 C146 96 200 64 256 64 C312 64 366 96 362 178 Z" fill="${hat}"/>`,
      `<rect x="142" y="160" width="228" height="34" rx="16" fill="${shade(hat, -0.2)}"/>`,
      `<path d="M170 168 L170 186 M200 166 L200 188 M230 166 L230 188 M260 166 L260 188 M290 166 L290 188 M320 166 L320 188 M346 168 L346 186" stroke="${shade(hat, -0.35)}" stroke-width="2" opacity="0.5"/>`,
      `<circle cx="256" cy="60" r="14" fill="${shade(hat, 0.3)}"/>`,
    );
  }
  if (has.has('headphones')) {
    parts.push(
      '<path d="M146 236 C140 120 190 70 256 70 C322 70 372 120 366 236" fill="none" stroke="#2a2d34" stroke-width="12" stroke-linecap="round"/>',
      ...[146, 366].map((x) => `<rect x="${x - 16}" y="206" width="32" height="62" rx="14" fill="#2a2d34"/><rect x="${x - 10}" y="214" width="20" height="46" rx="9" fill="#454a55"/>`),
    );
  }
  return parts.join('');
}

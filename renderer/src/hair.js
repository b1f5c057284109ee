// Hair per style, split into what lies behind the head and what lies over the forehead.
// SVG fragments in the 512x512 design space; `fill` is a paint reference. Browser-safe.

const CURLS_BACK = [
  [170, 160, 40], [150, 215, 36], [160, 275, 34], [190, 120, 42], [256, 100, 46], [322, 120, 42],
  [342, 160, 40], [362, 215, 36], [352, 275, 34], [176, 320, 28], [336, 320, 28],
];
const CURLS_FRONT = [
  [186, 150, 26], [214, 128, 28], [250, 118, 30], [288, 124, 28], [320, 142, 26], [338, 172, 20],
  [172, 180, 20],
];

/** Hair drawn before the face (behind the head, over the shoulders). */
export function hairBack(style, fill, dark) {
  switch (style) {
    case 'long':
      return `<path d="M150 226 C136 130 196 86 256 86 C318 86 378 130 362 226 C370 300 372 370 388 430 C350 452 306 446 296 404 L216 404 C206 446 162 452 124 430 C140 370 142 300 150 226Z" fill="${fill}"/>`
        + `<path d="M170 250 C166 320 170 380 150 424" fill="none" stroke="${dark}" stroke-width="3" opacity="0.35"/>`
        + `<path d="M342 250 C346 320 342 380 362 424" fill="none" stroke="${dark}" stroke-width="3" opacity="0.35"/>`;
    case 'bob':
      return `<path d="M146 230 C132 130 196 88 256 88 C318 88 380 130 366 230 C372 280 370 318 352 344 C330 356 312 350 304 330 L208 330 C200 350 182 356 160 344 C142 318 140 280 146 230Z" fill="${fill}"/>`;
    case 'curly':
      return CURLS_BACK.map(([x, y, r]) => `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>`).join('');
    case 'bun':
      return `<circle cx="256" cy="86" r="36" fill="${fill}"/><path d="M232 80 C244 66 268 66 280 80" fill="none" stroke="${dark}" stroke-width="3" opacity="0.4"/>`;
    case 'ponytail':
      return `<path d="M330 150 C392 160 404 240 390 320 C382 368 360 400 344 410 C352 360 356 300 340 240 Z" fill="${fill}"/>`
        + `<path d="M352 180 C378 230 380 300 362 380" fill="none" stroke="${dark}" stroke-width="3" opacity="0.35"/>`;
    default:
      return '';
  }
}

/** Hair drawn over the head (cap, fringe). */
export function hairFront(style, fill, dark) {
  switch (style) {
    case 'bald':
      return '<ellipse cx="236" cy="142" rx="34" ry="14" fill="#ffffff" opacity="0.16" transform="rotate(-18 236 142)"/>';
    case 'buzz':
      return `<path d="M162 214 C156 140 200 106 256 106 C314 106 358 140 350 214 C342 186 330 166 314 156 C278 146 234 146 198 156 C182 166 170 186 162 214Z" fill="${fill}" opacity="0.82"/>`;
    case 'curly':
      return CURLS_FRONT.map(([x, y, r]) => `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}"/>`).join('')
        + CURLS_FRONT.map(([x, y, r]) => `<path d="M${x - r * 0.5} ${y + r * 0.1} Q${x} ${y - r * 0.6} ${x + r * 0.5} ${y + r * 0.1}" fill="none" stroke="${dark}" stroke-width="2.5" opacity="0.35"/>`).join('');
    case 'bob':
    case 'long':
      // Centre parting, hair framing the face.
      return `<path d="M150 250 C138 140 196 96 256 96 C316 96 374 140 362 250 C356 214 350 188 336 168 C310 150 280 138 258 134 C240 150 200 162 176 176 C164 196 156 220 150 250Z" fill="${fill}"/>`
        + `<path d="M176 176 C166 210 164 250 170 290 C160 262 154 226 158 200Z M336 168 C348 204 350 250 342 292 C354 262 360 222 354 196Z" fill="${fill}"/>`
        + `<path d="M258 100 C256 114 256 126 258 136" fill="none" stroke="${dark}" stroke-width="3" opacity="0.5"/>`
        + '<path d="M204 116 C226 104 248 102 254 104" fill="none" stroke="#ffffff" stroke-width="5" opacity="0.14" stroke-linecap="round"/>';
    default:
      // short, bun, ponytail: a side-swept cap.
      return `<path d="M156 232 C144 140 196 94 258 94 C322 94 370 138 356 232 C350 200 342 180 330 166 C300 174 256 170 214 150 C200 168 176 186 156 232Z" fill="${fill}"/>`
        + `<path d="M214 150 C240 140 280 146 318 132" fill="none" stroke="${dark}" stroke-width="3" opacity="0.3"/>`
        + `<path d="M206 118 C236 104 280 104 312 116" fill="none" stroke="#ffffff" stroke-width="5" opacity="0.12" stroke-linecap="round"/>`;
  }
}

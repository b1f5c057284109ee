// SVG -> pixels with resvg (a prebuilt native binary from npm: no browser, no canvas), and a
// cache of rasterised frames keyed by pose, bounded in bytes. Node only.

import { createRequire } from 'node:module';

// createRequire resolves through NODE_PATH as well, so the adapter can point a packaged copy of
// this code at node_modules installed elsewhere.
const require = createRequire(import.meta.url);
let Resvg = null;

export function resvg() {
  if (Resvg === null) ({ Resvg } = require('@resvg/resvg-js'));
  return Resvg;
}

const OPTIONS = { font: { loadSystemFonts: false }, shapeRendering: 2 };

/** Rasterise to raw RGBA (premultiplied is not used: resvg returns straight RGBA). */
export function rasterise(svg) {
  const image = new (resvg())(svg, OPTIONS).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

/** Rasterise and encode as PNG. */
export function rasterisePng(svg) {
  return new (resvg())(svg, OPTIONS).render().asPng();
}

/** An LRU map of key -> raw frame, evicting oldest entries past `maxBytes`. */
export class FrameCache {
  constructor(maxBytes = 96 * 1024 * 1024) {
    this.maxBytes = maxBytes;
    this.bytes = 0;
    this.map = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  get(key, make) {
    const found = this.map.get(key);
    if (found !== undefined) {
      this.map.delete(key);
      this.map.set(key, found);
      this.hits += 1;
      return found;
    }
    this.misses += 1;
    const frame = make();
    this.map.set(key, frame);
    this.bytes += frame.pixels.length;
    while (this.bytes > this.maxBytes && this.map.size > 1) {
      const [oldest, value] = this.map.entries().next().value;
      this.map.delete(oldest);
      this.bytes -= value.pixels.length;
    }
    return frame;
  }
}

/**
 * `frame` moved down by `dy` pixels (up when negative) into `out`; the rows uncovered repeat
 * the edge row (background at the top, clothing at the bottom), so nothing visibly changes.
 * Always a new buffer: a pipe write may still hold the previous one, and the cached frame must
 * stay as it is.
 */
export function shifted(frame, dy) {
  const stride = frame.width * 4;
  const rows = frame.height;
  const src = frame.pixels;
  const d = Math.max(-rows + 1, Math.min(rows - 1, dy));
  if (d === 0) return Buffer.from(src);
  const out = Buffer.allocUnsafe(src.length);
  if (d > 0) {
    src.copy(out, d * stride, 0, (rows - d) * stride);
    for (let y = 0; y < d; y += 1) src.copy(out, y * stride, 0, stride);
  } else {
    src.copy(out, 0, -d * stride, rows * stride);
    for (let y = rows + d; y < rows; y += 1) src.copy(out, y * stride, (rows - 1) * stride, rows * stride);
  }
  return out;
}

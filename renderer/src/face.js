// The face's moving parts: eyes, brows, mouth, and what each expression does to them.
// Pure functions returning SVG fragments in the 512x512 design space. Browser-safe.

import { esc, mix, n, shade } from './color.js';
import { MOUTHS } from './schema.js';

/** What an expression does: brow lift/inner raise (px, +up), smile (-1..1), squint, wide. */
export const EXPRESSION_TRAITS = Object.freeze({
  neutral: { lift: 0, inner: 0, smile: 0.12, squint: 0, wide: 0, blush: 0.14, open: 0, asym: 0, shift: 0 },
  happy: { lift: 4, inner: 0, smile: 1, squint: 0.3, wide: 0, blush: 0.34, open: 0.05, asym: 0, shift: 0 },
  sad: { lift: 0, inner: 9, smile: -0.75, squint: 0.12, wide: 0, blush: 0.1, open: 0, asym: 0, shift: 0 },
  surprised: { lift: 13, inner: 2, smile: 0, squint: 0, wide: 0.3, blush: 0.14, open: 0.35, asym: 0, shift: 0 },
  angry: { lift: -5, inner: -10, smile: -0.35, squint: 0.32, wide: 0, blush: 0.2, open: 0, asym: 0, shift: 0 },
  thinking: { lift: 2, inner: 0, smile: -0.1, squint: 0.1, wide: 0, blush: 0.12, open: 0, asym: 8, shift: 7 },
});

const EYES = [218, 294];
const EYE_Y = 230;
const BROW_Y = 198;
const MOUTH_Y = 300;

/** Mouth parameters for a pose: the blend of two visemes' shapes. */
export function mouthShape(pose) {
  if (pose.mouth) return pose.mouth;
  const a = MOUTHS[pose.viseme];
  const b = MOUTHS[pose.viseme_to ?? pose.viseme];
  const t = pose.viseme_to ? pose.blend : 0;
  const out = {};
  for (const key of Object.keys(a)) out[key] = a[key] + (b[key] - a[key]) * t;
  return out;
}

export function eyes(state, pose, traits, id) {
  const open = Math.max(0, (1 - pose.blink) * (1 - traits.squint * 0.45) * (1 + traits.wide * 0.5));
  const lash = shade(state.hair_color, -0.45);
  const parts = [];
  EYES.forEach((cx, side) => {
    const h = 14 * open;
    const top = EYE_Y - h * 1.25;
    if (open < 0.12) {
      // Shut: a lash line curving down, a soft crease above it.
      parts.push(`<path d="M${cx - 23} ${EYE_Y} Q${cx} ${EYE_Y + 7} ${cx + 23} ${EYE_Y}" fill="none" stroke="${lash}" stroke-width="3.2" stroke-linecap="round"/>`);
      return;
    }
    const shape = `M${cx - 23} ${EYE_Y} C${cx - 12} ${n(top)} ${cx + 12} ${n(top)} ${cx + 23} ${EYE_Y} C${cx + 12} ${n(EYE_Y + h)} ${cx - 12} ${n(EYE_Y + h)} ${cx - 23} ${EYE_Y}Z`;
    const ix = n(cx + pose.gaze_x * 7);
    const iy = n(EYE_Y + pose.gaze_y * 4 - 1);
    parts.push(
      `<clipPath id="${id}-eye${side}"><path d="${shape}"/></clipPath>`,
      `<path d="${shape}" fill="#fbfbfd"/>`,
      `<g clip-path="url(#${id}-eye${side})">`,
      `<circle cx="${ix}" cy="${iy}" r="11.5" fill="url(#${id}-iris)"/>`,
      `<circle cx="${ix}" cy="${iy}" r="5.3" fill="#101018"/>`,
      `<circle cx="${n(ix + 3.4)}" cy="${n(iy - 3.6)}" r="2.8" fill="#ffffff" opacity="0.95"/>`,
      `<circle cx="${n(ix - 3)}" cy="${n(iy + 3.4)}" r="1.2" fill="#ffffff" opacity="0.6"/>`,
      `<path d="M${cx - 24} ${n(top - 4)} L${cx + 24} ${n(top - 4)} L${cx + 24} ${n(top + 3)} C${cx + 10} ${n(top + 1)} ${cx - 10} ${n(top + 1)} ${cx - 24} ${n(top + 3)}Z" fill="#000" opacity="0.12"/>`,
      '</g>',
      `<path d="M${cx - 24} ${EYE_Y + 1} C${cx - 12} ${n(top)} ${cx + 12} ${n(top)} ${cx + 24} ${EYE_Y - 1}" fill="none" stroke="${lash}" stroke-width="3.4" stroke-linecap="round"/>`,
      `<path d="M${cx - 16} ${n(top - 7)} C${cx - 6} ${n(top - 11)} ${cx + 8} ${n(top - 11)} ${cx + 17} ${n(top - 6)}" fill="none" stroke="${shade(state.skin_tone, -0.22)}" stroke-width="1.6" opacity="0.55" stroke-linecap="round"/>`,
    );
  });
  return parts.join('');
}

const BROWS = {
  natural: { width: 6.5, arch: 5 },
  thick: { width: 10, arch: 4 },
  thin: { width: 3.6, arch: 6 },
  arched: { width: 6, arch: 10 },
};

export function brows(state, traits) {
  const { width, arch } = BROWS[state.brow_style];
  const color = shade(state.hair_color, -0.15);
  return EYES.map((cx, side) => {
    const dir = side === 0 ? -1 : 1; // outward
    const asym = side === 0 ? traits.asym : -traits.asym * 0.3;
    const inner = BROW_Y - traits.lift - traits.inner - asym;
    const outer = BROW_Y - traits.lift + traits.inner * 0.3 - asym;
    const x0 = cx - dir * 18;
    const x1 = cx + dir * 24;
    const d = `M${x0} ${n(inner)} Q${cx + dir * 4} ${n(Math.min(inner, outer) - arch)} ${x1} ${n(outer + 2)}`;
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linecap="round"/>`;
  }).join('');
}

export function mouth(state, pose, traits, id) {
  const m = mouthShape(pose);
  const cx = 256 + traits.shift;
  const cy = MOUTH_Y;
  const smile = traits.smile;
  const open = Math.min(1, m.open + traits.open * (1 - m.press));
  const hw = 29 * m.wide * (1 - 0.32 * m.round) * (1 + 0.1 * Math.max(0, smile));
  const h = 30 * open;
  const lift = -8.5 * smile;
  const lip = mix(state.skin_tone, '#b8485a', 0.42);
  const lipDark = shade(lip, -0.25);
  const L = [cx - hw, cy + lift];
  const R = [cx + hw, cy + lift];
  const upperY = cy - h * 0.22;
  const lowerY = cy + h + Math.abs(lift) * 0.2 + (smile > 0 ? 3 * smile : 0);
  const parts = [];
  if (h < 1.5) {
    const mid = cy + 2 * smile;
    const thick = 3 + 1.4 * m.press;
    parts.push(
      `<path d="M${n(L[0])} ${n(L[1])} Q${cx} ${n(mid + 8 * smile)} ${n(R[0])} ${n(R[1])}" fill="none" stroke="${lipDark}" stroke-width="${n(thick)}" stroke-linecap="round"/>`,
      `<path d="M${n(cx - hw * 0.7)} ${n(mid + 4 + 3 * smile)} Q${cx} ${n(mid + 11 - m.press * 3 + 4 * smile)} ${n(cx + hw * 0.7)} ${n(mid + 4 + 3 * smile)}" fill="none" stroke="${lip}" stroke-width="${n(5 - m.press * 2)}" stroke-linecap="round" opacity="0.7"/>`,
    );
    return parts.join('');
  }
  const inside = `M${n(L[0])} ${n(L[1])} C${n(cx - hw * 0.5)} ${n(upperY + 2 * smile)} ${n(cx + hw * 0.5)} ${n(upperY + 2 * smile)} ${n(R[0])} ${n(R[1])} C${n(cx + hw * 0.62)} ${n(lowerY)} ${n(cx - hw * 0.62)} ${n(lowerY)} ${n(L[0])} ${n(L[1])}Z`;
  const teethH = Math.min(h * 0.5, 10) * m.teeth;
  parts.push(
    `<clipPath id="${id}-mouth"><path d="${inside}"/></clipPath>`,
    `<path d="${inside}" fill="#4a1822"/>`,
    `<g clip-path="url(#${id}-mouth)">`,
    `<ellipse cx="${n(cx)}" cy="${n(lowerY - h * 0.08)}" rx="${n(hw * 0.62)}" ry="${n(Math.max(1, h * 0.42 * (0.4 + m.tongue)))}" fill="#d0606e"/>`,
    teethH > 0.5 ? `<rect x="${n(cx - hw)}" y="${n(upperY - 4)}" width="${n(hw * 2)}" height="${n(teethH + 4 + 2 * Math.abs(smile))}" rx="3" fill="#f7f5f0"/>` : '',
    '</g>',
    // Upper lip with a cupid's bow, lower lip fuller and lighter.
    `<path d="M${n(L[0] - 2)} ${n(L[1])} C${n(cx - hw * 0.6)} ${n(upperY - 7)} ${n(cx - 6)} ${n(upperY - 9)} ${n(cx)} ${n(upperY - 6)} C${n(cx + 6)} ${n(upperY - 9)} ${n(cx + hw * 0.6)} ${n(upperY - 7)} ${n(R[0] + 2)} ${n(R[1])} C${n(cx + hw * 0.5)} ${n(upperY + 2 * smile)} ${n(cx - hw * 0.5)} ${n(upperY + 2 * smile)} ${n(L[0] - 2)} ${n(L[1])}Z" fill="${lipDark}"/>`,
    `<path d="M${n(L[0] - 2)} ${n(L[1])} C${n(cx - hw * 0.62)} ${n(lowerY)} ${n(cx + hw * 0.62)} ${n(lowerY)} ${n(R[0] + 2)} ${n(R[1])} C${n(cx + hw * 0.7)} ${n(lowerY + 9)} ${n(cx - hw * 0.7)} ${n(lowerY + 9)} ${n(L[0] - 2)} ${n(L[1])}Z" fill="${lip}"/>`,
    `<ellipse cx="${n(cx)}" cy="${n(lowerY + 3.5)}" rx="${n(hw * 0.3)}" ry="1.6" fill="#ffffff" opacity="0.25"/>`,
  );
  if (m.bite > 0.5) {
    parts.push(`<rect x="${n(cx - hw * 0.55)}" y="${n(upperY - 1)}" width="${n(hw * 1.1)}" height="6" rx="2" fill="#f7f5f0"/>`);
  }
  return parts.join('');
}

/** The iris gradient for the eye colour. */
export function irisGradient(state, id) {
  const c = state.eye_color;
  return `<radialGradient id="${id}-iris" cx="0.5" cy="0.5" r="0.5"><stop offset="0.3" stop-color="${esc(shade(c, 0.25))}"/><stop offset="0.8" stop-color="${esc(c)}"/><stop offset="1" stop-color="${esc(shade(c, -0.5))}"/></radialGradient>`;
}

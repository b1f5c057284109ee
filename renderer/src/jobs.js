// Running one job: a frame (PNG from resvg; JPEG/WebP through ffmpeg) or a sequence (poses
// sampled from the timeline, rasterised through the frame cache, streamed into ffmpeg).
// Shared by `render.js job.json out` and the NDJSON worker. Node only.

import { avatarSvg, mouthWindow } from './avatar.js';
import { encodeImage, videoEncoder } from './encode.js';
import { sampler, validateTimeline } from './motion.js';
import { FrameCache, rasterise, rasterisePng, shifted } from './raster.js';
import { IMAGE_FORMATS, MAX_SIDE, VIDEO_FORMATS } from './schema.js';
import { integer, invalid, validateState } from './validate.js';

const PROGRESS_STEP = 0.05;
export const DEFAULT_CACHE_MB = 96;

/**
 * The jobs of one renderer, sharing one frame cache bounded to `cacheMb` megabytes (the
 * caller decides; render.js takes it from its command line or the environment). A positive,
 * finite number, else an `invalid` error naming `cache_mb`.
 */
export function createJobs({ cacheMb = DEFAULT_CACHE_MB } = {}) {
  if (typeof cacheMb !== 'number' || !Number.isFinite(cacheMb) || cacheMb <= 0) {
    throw invalid(`the frame cache needs a positive number of megabytes; got ${typeof cacheMb === 'number' ? cacheMb : JSON.stringify(cacheMb)}`, 'cache_mb');
  }
  const cache = new FrameCache(cacheMb * 1024 * 1024);
  return {
    cache,
    renderFrame,
    renderSequence: (job, progress) => renderSequence(cache, job, progress),
    composed: (state, stateKey, pose, width, height, dy) => composed(cache, state, stateKey, pose, width, height, dy),
  };
}

function format(value, allowed) {
  if (!allowed.includes(value)) {
    throw invalid(`format must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`, 'format');
  }
  return value;
}

function size(job) {
  return [integer(job.width, 'width', 1, MAX_SIDE), integer(job.height, 'height', 1, MAX_SIDE)];
}

function ffmpegPath(job) {
  return job.ffmpeg || process.env.FFMPEG_PATH || 'ffmpeg';
}

/** Render one frame; resolves to the encoded image bytes. */
async function renderFrame(job) {
  const [width, height] = size(job);
  const fmt = format(job.format ?? 'png', IMAGE_FORMATS);
  const svg = avatarSvg(job.state ?? {}, job.pose ?? {}, { width, height });
  if (fmt === 'png') return rasterisePng(svg);
  const { pixels } = rasterise(svg);
  return encodeImage(ffmpegPath(job), { pixels, width, height, format: fmt });
}

/**
 * Frame `pose`, moved down `dy` pixels: the picture without its mouth (cached by the rest of
 * the pose: blink, gaze, expression, head) with the mouth alone (cached by the whole pose,
 * rasterised in a small window on the same pixel grid) composited over it. Lip sync only
 * changes the mouth, so a talking clip rasterises a few full pictures and many tiny windows.
 * Nothing is drawn over the mouth, so the result equals rasterising the whole pose.
 */
function composed(cache, state, stateKey, pose, width, height, dy = 0) {
  const { mouth, ...rest } = pose;
  const restKey = `${width}x${height}|${stateKey}|${JSON.stringify(rest)}`;
  const base = cache.get(restKey, () => rasterise(avatarSvg(state, pose, { width, height, layer: 'face' })));
  const window = mouthWindow(pose, width, height);
  const patch = cache.get(`${restKey}|${JSON.stringify(mouth)}`, () => rasterise(avatarSvg(state, pose, { width, height, crop: window, layer: 'mouth' })));
  const pixels = shifted(base, dy);
  over(pixels, width, height, patch.pixels, window, dy);
  return { width, height, pixels };
}

/** Composite premultiplied RGBA `src` (a `window`) over `dst` (width x height), `dy` lower. */
function over(dst, width, height, src, window, dy) {
  for (let y = 0; y < window.h; y += 1) {
    const row = window.y + y + dy;
    if (row < 0 || row >= height) continue;
    let s = y * window.w * 4;
    let d = (row * width + window.x) * 4;
    for (let x = 0; x < window.w; x += 1, s += 4, d += 4) {
      const a = src[s + 3];
      if (a === 0) continue;
      if (a === 255) {
        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]; dst[d + 3] = 255;
        continue;
      }
      // resvg's pixels are premultiplied by alpha: out = src + dst * (1 - a)
      const k = (255 - a) / 255;
      dst[d] = src[s] + dst[d] * k + 0.5;
      dst[d + 1] = src[s + 1] + dst[d + 1] * k + 0.5;
      dst[d + 2] = src[s + 2] + dst[d + 2] * k + 0.5;
      dst[d + 3] = a + dst[d + 3] * k + 0.5;
    }
  }
}

/**
 * Render a sequence into job.output through `cache`; `progress(fraction)` is called with non-decreasing
 * fractions. Resolves to {frames, rasterised, duration}.
 */
async function renderSequence(cache, job, progress = () => {}) {
  const [width, height] = size(job);
  const fmt = format(job.format ?? 'mp4', VIDEO_FORMATS);
  const fps = integer(job.fps, 'fps', 1, 120);
  if ((fmt === 'mp4' || fmt === 'webm') && (width % 2 || height % 2)) {
    throw invalid(`${fmt} needs an even width and height (yuv420p); got ${width}x${height}`, width % 2 ? 'width' : 'height');
  }
  if (typeof job.output !== 'string' || !job.output) throw invalid('output must be a file path', 'output');
  const state = validateState(job.state ?? {});
  const timeline = validateTimeline(job.timeline);
  const track = sampler(timeline, { fps, seed: job.seed, expression: state.expression });
  if (job.frames !== undefined) track.frames = integer(job.frames, 'frames', 1, Math.ceil(timeline.duration * fps) + 1);
  if (track.frames < 1) throw invalid(`the timeline is shorter than one frame at ${fps} fps`, 'duration');
  const encoder = videoEncoder(ffmpegPath(job), { width, height, fps, format: fmt, audio: job.audio ?? null, output: job.output, threads: job.threads ?? 0 });
  const stateKey = JSON.stringify(state);
  const scale = height / 512;
  const before = cache.misses;
  let reported = 0;
  let previous = null;
  let previousKey = null;
  try {
    for (let i = 0; i < track.frames; i += 1) {
      const { pose, bob } = track.at(i);
      const dy = Math.round(bob * 1.6 * scale);
      const key = `${JSON.stringify(pose)}|${dy}`;
      if (key !== previousKey) {
        // A frame buffer is never changed once written, so a repeated frame is sent as is.
        previous = composed(cache, state, stateKey, pose, width, height, dy).pixels;
        previousKey = key;
      }
      await encoder.write(previous);
      const done = (i + 1) / track.frames;
      if (done - reported >= PROGRESS_STEP && done < 1) {
        reported = done;
        progress(Math.min(0.99, done));
      }
    }
    await encoder.end();
  } catch (error) {
    encoder.kill();
    throw error;
  }
  progress(1);
  return { frames: track.frames, rasterised: cache.misses - before, duration: track.frames / fps };
}

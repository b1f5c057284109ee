// ffmpeg as a child process: raw RGBA frames streamed into its stdin (with backpressure), the
// speech WAV muxed in. MP4 = H.264 yuv420p + AAC with faststart, WebM = VP9 + Opus, GIF with
// a palette made from the clip. Single images (JPEG, WebP) go through it too. Node only.

import { spawn } from 'node:child_process';
import { RenderError } from './validate.js';

const VIDEO_ARGS = {
  mp4: ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'animation', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
  webm: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-b:v', '0', '-crf', '36', '-pix_fmt', 'yuv420p'],
  gif: ['-filter_complex', '[0:v]split[a][b];[a]palettegen=stats_mode=diff:max_colors=128[p];[b][p]paletteuse=dither=bayer:bayer_scale=4', '-loop', '0'],
};
const AUDIO_ARGS = {
  mp4: ['-c:a', 'aac', '-b:a', '96k'],
  webm: ['-c:a', 'libopus', '-b:a', '64k', '-ar', '48000'],
};
export const CONTENT_TYPES = { mp4: 'video/mp4', webm: 'video/webm', gif: 'image/gif', png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The ffmpeg arguments for a sequence (exported for tests). */
export function videoArgs({ width, height, fps, format, audio, output, threads = 0 }) {
  const args = ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0'];
  const withAudio = audio && format in AUDIO_ARGS;
  if (withAudio) args.push('-i', audio);
  args.push(...VIDEO_ARGS[format]);
  if (threads > 0) args.push('-threads', String(threads));
  if (withAudio) args.push('-map', '0:v:0', '-map', '1:a:0', ...AUDIO_ARGS[format]);
  args.push('-f', format, output);
  return args;
}

function start(ffmpeg, args) {
  const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = [];
  const out = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stdin.on('error', () => {}); // ffmpeg exiting early surfaces as its exit code below
  const done = new Promise((resolve, reject) => {
    child.on('error', (error) => {
      const missing = error.code === 'ENOENT';
      reject(new RenderError(missing ? 'unavailable' : 'internal',
        missing ? `ffmpeg not found at ${ffmpeg}: install it or set FFMPEG_PATH` : `ffmpeg failed to start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else {
        const text = Buffer.concat(stderr).toString().trim().split('\n').slice(-3).join(' | ');
        reject(new RenderError('internal', `ffmpeg exited with ${code ?? signal}: ${text}`));
      }
    });
  });
  return { child, done };
}

/** An encoder: `await write(rgba)` per frame, then `await end()`. */
export function videoEncoder(ffmpeg, options) {
  const { child, done } = start(ffmpeg, videoArgs(options));
  let failed = null;
  done.catch((error) => { failed = error; });
  return {
    async write(pixels) {
      if (failed) throw failed;
      if (!child.stdin.write(pixels)) {
        await new Promise((resolve) => {
          const finish = () => { child.stdin.off('drain', finish); child.off('close', finish); resolve(); };
          child.stdin.on('drain', finish);
          child.on('close', finish);
        });
      }
      if (failed) throw failed;
    },
    async end() {
      child.stdin.end();
      await done;
    },
    kill() { child.kill('SIGKILL'); },
  };
}

/** One raw RGBA image encoded as JPEG or WebP. */
export async function encodeImage(ffmpeg, { pixels, width, height, format }) {
  const codec = format === 'jpeg'
    ? ['-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj444p', '-f', 'image2pipe']
    : ['-c:v', 'libwebp', '-quality', '88', '-f', 'webp'];
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba',
    '-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1', ...codec, 'pipe:1'];
  const { child, done } = start(ffmpeg, args);
  child.stdin.end(pixels);
  return done;
}

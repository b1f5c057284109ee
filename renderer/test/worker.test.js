import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const renderJs = fileURLToPath(new URL('../render.js', import.meta.url));
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** FFMPEG_PATH, else the imageio-ffmpeg binary of the python on PATH (tox puts its env first). */
function findFfmpeg() {
  if (process.env.FFMPEG_PATH) return process.env.FFMPEG_PATH;
  const found = spawnSync('python', ['-c', 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

function worker(lines) {
  const done = spawnSync(process.execPath, [renderJs, '--worker'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);
  return done.stdout.trim().split('\n').map((line) => JSON.parse(line));
}

test('the worker greets, then answers each job in order with its id', () => {
  const [ready, a, b] = worker([
    JSON.stringify({ id: 'a', kind: 'frame', state: {}, pose: { viseme: 'aa' }, width: 32, height: 24 }),
    JSON.stringify({ id: 'b', kind: 'ping' }),
  ]);
  assert.deepEqual(ready, { type: 'ready', version: 1 });
  assert.equal(a.id, 'a');
  assert.equal(a.type, 'result');
  const png = Buffer.from(a.data, 'base64');
  assert.deepEqual(png.subarray(0, 4), PNG);
  assert.equal(png.readUInt32BE(16), 32);
  assert.equal(png.readUInt32BE(20), 24);
  assert.deepEqual(b, { id: 'b', type: 'result', pong: true });
});

test('bad jobs get an error with a code and the field; the worker keeps serving', () => {
  const [, bad, notJson, unknown, good] = worker([
    JSON.stringify({ id: 'x', kind: 'frame', state: { eye_color: '#zzz' }, width: 10, height: 10 }),
    '{not json',
    JSON.stringify({ id: 'y', kind: 'dance' }),
    JSON.stringify({ id: 'z', kind: 'ping' }),
  ]);
  assert.deepEqual([bad.type, bad.code, bad.field], ['error', 'invalid', 'state.eye_color']);
  assert.equal(notJson.code, 'invalid');
  assert.deepEqual([unknown.id, unknown.code, unknown.field], ['y', 'invalid', 'kind']);
  assert.equal(good.type, 'result');
});

test('a failing job echoes its request_id and logs it to stderr as one JSON line', () => {
  const job = { id: 'r', kind: 'frame', state: { eye_color: '#zzz' }, width: 10, height: 10, request_id: 'req-42' };
  const done = spawnSync(process.execPath, [renderJs, '--worker'], { input: `${JSON.stringify(job)}\n`, encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);
  const answer = JSON.parse(done.stdout.trim().split('\n')[1]);
  assert.deepEqual([answer.id, answer.code, answer.request_id], ['r', 'invalid', 'req-42']);
  const logged = done.stderr.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(logged.map((line) => [line.level, line.request_id, line.job]), [['error', 'req-42', 'r']]);
});

test('a sequence reports progress, then its result; a missing ffmpeg is "unavailable"', (t) => {
  const ffmpeg = findFfmpeg();
  if (!ffmpeg) return t.skip('no ffmpeg: set FFMPEG_PATH or pip install imageio-ffmpeg');
  const dir = mkdtempSync(join(tmpdir(), 'avatar-worker-'));
  const job = { kind: 'sequence', state: {}, width: 32, height: 32, fps: 10, format: 'gif', timeline: { duration: 1, visemes: [] } };
  const messages = worker([
    JSON.stringify({ ...job, id: 's', output: join(dir, 'a.gif'), ffmpeg }),
    JSON.stringify({ ...job, id: 't', output: join(dir, 'b.gif'), ffmpeg: '/nonexistent/ffmpeg' }),
  ]);
  const progress = messages.filter((m) => m.id === 's' && m.type === 'progress').map((m) => m.fraction);
  assert.ok(progress.length > 0);
  assert.deepEqual([...progress].sort((x, y) => x - y), progress);
  assert.equal(progress.at(-1), 1);
  const result = messages.find((m) => m.id === 's' && m.type === 'result');
  assert.equal(result.frames, 10);
  assert.ok(statSync(join(dir, 'a.gif')).size > 0);
  const missing = messages.find((m) => m.id === 't' && m.type === 'error');
  assert.equal(missing.code, 'unavailable');
});

test('render.js job.json out.png renders one frame (the seed interface)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'avatar-cli-'));
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ state: { hair_style: 'bun' }, pose: {}, width: 40, height: 30 }));
  const done = spawnSync(process.execPath, [renderJs, join(dir, 'job.json'), join(dir, 'out.png')], { encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);
  assert.deepEqual(readFileSync(join(dir, 'out.png')).subarray(0, 4), PNG);
  const bad = spawnSync(process.execPath, [renderJs, join(dir, 'job.json')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: /);
});

test('render.js passes the cache size from --cache-mb or AVATAR_RENDERER_CACHE_MB to the renderer', () => {
  const run = (args, env) => spawnSync(process.execPath, [renderJs, ...args, '--worker'], { input: '', encoding: 'utf8', env: { ...process.env, ...env } });
  const flagged = run(['--cache-mb', 'lots'], {});
  assert.equal(flagged.status, 1);
  assert.match(flagged.stderr, /^error: the frame cache needs a positive number of megabytes; got NaN\n$/);
  const fromEnv = run([], { AVATAR_RENDERER_CACHE_MB: '-4' });
  assert.equal(fromEnv.status, 1);
  assert.match(fromEnv.stderr, /got -4/);
  assert.equal(run(['--cache-mb', '8'], { AVATAR_RENDERER_CACHE_MB: '-4' }).status, 0, 'the flag wins over the environment');
});

// The NDJSON worker protocol: one job per line on stdin, answers on stdout, one job at a time.
//
//   in:  {"id": "j1", "kind": "frame" | "sequence" | "ping", ...job}
//   out: {"type": "ready", "version": 1}                               once, at start
//        {"id": "j1", "type": "progress", "fraction": 0.25}            sequences only
//        {"id": "j1", "type": "result", "data": "<base64>"}            frame
//        {"id": "j1", "type": "result", "frames": 300, "rasterised": 61, "duration": 10}
//        {"id": "j1", "type": "error", "code": "invalid", "message": "...", "field": "width"}
//
// Codes: invalid (bad job), unavailable (ffmpeg missing), internal (anything else). Node only.
// A job may carry the caller's "request_id": its error answer echoes it, and every error is
// also logged to stderr as one JSON line {"level": "error", "request_id", "job", "code", ...}.

import { createInterface } from 'node:readline';

export const PROTOCOL_VERSION = 1;

function send(out, message) {
  out.write(`${JSON.stringify(message)}\n`);
}

/** Run one parsed job with `jobs` (from `createJobs`), reporting through `emit`. Never throws. */
export async function handle(jobs, job, emit) {
  const id = job && typeof job.id === 'string' ? job.id : null;
  try {
    if (id === null) throw Object.assign(new Error('job.id must be a string'), { code: 'invalid', field: 'id' });
    if (job.kind === 'ping') return emit({ id, type: 'result', pong: true });
    if (job.kind === 'frame') {
      const data = await jobs.renderFrame(job);
      return emit({ id, type: 'result', data: Buffer.from(data).toString('base64') });
    }
    if (job.kind === 'sequence') {
      const result = await jobs.renderSequence(job, (fraction) => emit({ id, type: 'progress', fraction }));
      return emit({ id, type: 'result', ...result });
    }
    throw Object.assign(new Error("job.kind must be 'frame', 'sequence' or 'ping'"), { code: 'invalid', field: 'kind' });
  } catch (error) {
    const code = ['invalid', 'unavailable'].includes(error.code) ? error.code : 'internal';
    const requestId = job && typeof job.request_id === 'string' ? job.request_id : null;
    logError({ request_id: requestId, job: id, code, message: error.message, stack: code === 'internal' ? error.stack : undefined });
    const answer = { id, type: 'error', code, message: error.message, field: error.field ?? null };
    return emit(requestId === null ? answer : { ...answer, request_id: requestId });
  }
}

function logError(fields) {
  process.stderr.write(`${JSON.stringify({ level: 'error', event: 'render job failed', ...fields })}\n`);
}

/** Serve jobs from `input` with `jobs` until it ends, strictly one at a time, in order. */
export async function serve(jobs, input = process.stdin, output = process.stdout) {
  send(output, { type: 'ready', version: PROTOCOL_VERSION });
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let job;
    try {
      job = JSON.parse(line);
    } catch {
      send(output, { id: null, type: 'error', code: 'invalid', message: 'the line is not JSON', field: null });
      continue;
    }
    await handle(jobs, job, (message) => send(output, message));
  }
}

#!/usr/bin/env node
// The renderer's command line.
//
//   node render.js job.json out.png     render one job (a frame, or a sequence when the job has
//                                       a timeline) to out; errors: one line on stderr, exit 1
//   node render.js --worker             serve NDJSON jobs on stdin (see src/worker.js)
//
//   --cache-mb N                        the frame cache's bound in megabytes; default: the
//                                       AVATAR_RENDERER_CACHE_MB environment variable, else 96

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createJobs, DEFAULT_CACHE_MB } from './src/jobs.js';
import { serve } from './src/worker.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    worker: { type: 'boolean', default: false },
    'cache-mb': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

/** The frame cache's bound: --cache-mb, else AVATAR_RENDERER_CACHE_MB, else the default. */
function cacheMb() {
  const given = values['cache-mb'] ?? process.env.AVATAR_RENDERER_CACHE_MB;
  return given === undefined || given === '' ? DEFAULT_CACHE_MB : Number(given);
}

async function main() {
  if (values.help) {
    process.stdout.write('usage: render.js [--cache-mb N] job.json out.(png|jpeg|webp|mp4|webm|gif) | render.js [--cache-mb N] --worker\n');
    return 0;
  }
  const jobs = createJobs({ cacheMb: cacheMb() });
  if (values.worker) {
    await serve(jobs);
    return 0;
  }
  if (positionals.length !== 2) {
    process.stderr.write('error: give a job file and an output file (or --worker)\n');
    return 2;
  }
  const [jobFile, output] = positionals;
  const job = JSON.parse(readFileSync(jobFile, 'utf8'));
  const extension = output.split('.').pop().toLowerCase();
  const fmt = job.format ?? (extension === 'jpg' ? 'jpeg' : extension);
  if (job.timeline) {
    const result = await jobs.renderSequence({ ...job, format: fmt, output });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    writeFileSync(output, await jobs.renderFrame({ ...job, format: fmt }));
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});

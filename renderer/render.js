#!/usr/bin/env node
// The renderer's command line.
//
//   node render.js job.json out.png     render one job (a frame, or a sequence when the job has
//                                       a timeline) to out; errors: one line on stderr, exit 1
//   node render.js --worker             serve NDJSON jobs on stdin (see src/worker.js)

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderFrame, renderSequence } from './src/jobs.js';
import { serve } from './src/worker.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { worker: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
});

async function main() {
  if (values.help) {
    process.stdout.write('usage: render.js job.json out.(png|jpeg|webp|mp4|webm|gif) | render.js --worker\n');
    return 0;
  }
  if (values.worker) {
    await serve();
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
    const result = await renderSequence({ ...job, format: fmt, output });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    writeFileSync(output, await renderFrame({ ...job, format: fmt }));
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});

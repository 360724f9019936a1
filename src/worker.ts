// A worker thread of the bulk pool: converts the chunks of files it is sent.
import { parentPort } from 'node:worker_threads';
import { processFile } from './process-file.js';
import type { FileJob } from './process-file.js';

parentPort?.on('message', (jobs: FileJob[]) => {
  parentPort!.postMessage(jobs.map(processFile));
});

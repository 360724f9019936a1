// A worker thread of the bulk pool: converts the chunks of files it is sent. Each chunk's
// conversions run back to back while their writes (fsync) complete in the background.
import { parentPort } from 'node:worker_threads';
import { processFile } from './process-file.js';
import type { FileJob } from './process-file.js';

parentPort?.on('message', async ({ start, jobs }: { start: number; jobs: FileJob[] }) => {
  parentPort!.postMessage({ start, outcomes: await Promise.all(jobs.map(processFile)) });
});

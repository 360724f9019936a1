// A worker thread of the bulk pool: converts the chunks of files it is sent. Each chunk's
// conversions run back to back while their writes (fsync) complete in the background.
import { parentPort, workerData } from 'node:worker_threads';
import { useWriteGate } from './files.js';
import { processFile } from './process-file.js';
import type { FileJob } from './process-file.js';

useWriteGate((workerData as { writeGate: SharedArrayBuffer }).writeGate);

parentPort?.on('message', async ({ start, jobs }: { start: number; jobs: FileJob[] }) => {
  parentPort!.postMessage({ start, outcomes: await Promise.all(jobs.map(processFile)) });
});

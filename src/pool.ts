import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { processFile } from './process-file.js';
import type { FileJob, FileOutcome } from './process-file.js';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 48;
const CHUNK = 16;

/**
 * Processes jobs, in parallel on worker threads when there are many and more than one core
 * (bulk migration is CPU-bound: one parse per file). Results come back in job order.
 * `onProgress` is called after each chunk with the number of files done.
 */
export async function processAll(jobs: readonly FileJob[], onProgress?: (done: number) => void): Promise<FileOutcome[]> {
  const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));
  const threads = Math.min(availableParallelism(), 4, Math.ceil(jobs.length / CHUNK));
  if (jobs.length < MIN_FILES_FOR_WORKERS || threads < 2 || !existsSync(workerFile)) {
    return jobs.map((job, i) => {
      const outcome = processFile(job);
      if (onProgress && (i + 1) % CHUNK === 0) onProgress(i + 1);
      return outcome;
    });
  }
  // Loaded only for bulk runs: a one-file run should not pay for it at start-up.
  const { Worker } = await import('node:worker_threads');
  const results: FileOutcome[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(workerFile);
      return new Promise<void>((resolve, reject) => {
        let start = 0;
        const send = () => {
          if (next >= jobs.length) {
            void worker.terminate().then(() => resolve());
            return;
          }
          start = next;
          next = Math.min(jobs.length, next + CHUNK);
          worker.postMessage(jobs.slice(start, next));
        };
        worker.on('message', (outcomes: FileOutcome[]) => {
          outcomes.forEach((outcome, i) => (results[start + i] = outcome));
          done += outcomes.length;
          onProgress?.(done);
          send();
        });
        worker.on('error', reject);
        send();
      });
    }),
  );
  return results;
}

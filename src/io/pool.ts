import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sharedWriteGate } from './files.js';
import { processFile } from './process-file.js';
import type { FileJob, FileOutcome } from './process-file.js';

/**
 * Below this many files, worker threads cost more than they save: each loads and warms up its
 * own copy of the code. Measured on a 2-core machine (npm run bench's corpus): 297 files take
 * 1.65 s on the main thread and 1.9 s with two workers, the two meet near 1,200 files, and
 * 2,376 files take 7.2 s and 6.8 s.
 */
export const MIN_FILES_FOR_WORKERS = 1000;
const CHUNK = 16;
/** Files converting on the main thread while earlier ones wait on their writes' fsync. */
const FILES_IN_FLIGHT = 8;

/**
 * Processes jobs, in parallel on worker threads when there are many and more than one core
 * (bulk migration is CPU-bound: one parse per file). Results come back in job order.
 * `onProgress` is called after each chunk with the number of files done.
 */
export async function processAll(jobs: readonly FileJob[], onProgress?: (done: number) => void): Promise<FileOutcome[]> {
  const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));
  const threads = Math.min(availableParallelism(), 4, Math.ceil(jobs.length / CHUNK));
  if (jobs.length < MIN_FILES_FOR_WORKERS || threads < 2 || !existsSync(workerFile)) {
    // Each file converts in one go, then waits on its write's fsync while the next converts.
    const outcomes: FileOutcome[] = new Array(jobs.length);
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const index = next++;
        outcomes[index] = await processFile(jobs[index]!);
        if (onProgress && ++done % CHUNK === 0) onProgress(done);
      }
    };
    await Promise.all(Array.from({ length: FILES_IN_FLIGHT }, lane));
    return outcomes;
  }
  // Loaded only for bulk runs: a one-file run should not pay for it at start-up.
  const { Worker } = await import('node:worker_threads');
  const results: FileOutcome[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, () => {
      // The write gate lets a signal's cleanup stop the workers from creating temp files.
      const worker = new Worker(workerFile, { workerData: { writeGate: sharedWriteGate() } });
      return new Promise<void>((resolve, reject) => {
        let pending = 0;
        const send = () => {
          if (next >= jobs.length) {
            if (pending === 0) void worker.terminate().then(() => resolve());
            return;
          }
          const start = next;
          next = Math.min(jobs.length, next + CHUNK);
          pending++;
          worker.postMessage({ start, jobs: jobs.slice(start, next) });
        };
        worker.on('message', ({ start, outcomes }: { start: number; outcomes: FileOutcome[] }) => {
          pending--;
          outcomes.forEach((outcome, i) => (results[start + i] = outcome));
          done += outcomes.length;
          onProgress?.(done);
          send();
        });
        worker.on('error', reject);
        // Two chunks in flight: the worker converts one while the other's writes finish.
        send();
        send();
      });
    }),
  );
  return results;
}

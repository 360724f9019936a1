import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sharedWriteGate } from './files.js';
import { processFile } from './process-file.js';
import type { FileJob, FileOutcome } from './process-file.js';

/**
 * Below this many files, worker threads cost more than they save: each loads and warms up its
 * own copy of the code (on 2 cores, 297 files took 1.65 s on the main thread and 1.9 s on two
 * workers, and the two met near 1,200 files).
 */
export const MIN_FILES_FOR_WORKERS = 1000;
/**
 * Below this many cores, the main thread alone is faster. A single Node process already keeps
 * more than one core busy (garbage collection and compilation run beside it): on a 2-core machine
 * `npm run bench` timed `--check` over 2,376 files on two workers at 1.37× one thread. 4 is a
 * bound where a core is idle for a second worker, not a measurement (no such machine here).
 */
export const MIN_CORES_FOR_WORKERS = 4;
/** Environment variable fixing the number of worker threads (0: the main thread), for tests and measurements. */
export const WORKERS_ENV = 'RO_CONVERT_WORKERS';
const CHUNK = 16;
/** Files converting on the main thread while earlier ones wait on their writes' fsync. */
const FILES_IN_FLIGHT = 8;

/**
 * How many worker threads convert `files` files: none (the main thread) unless there are enough
 * cores and files for them to pay, at most 4, never more than there are chunks to hand out.
 * `forced` (from {@link WORKERS_ENV}) overrides the measurements.
 */
export function workerCount(files: number, cores: number, forced: string | undefined = process.env[WORKERS_ENV]): number {
  const chunks = Math.ceil(files / CHUNK);
  if (forced !== undefined && forced !== '') {
    const count = Number(forced);
    if (!Number.isInteger(count) || count < 0) throw new Error(`${WORKERS_ENV} must be a whole number of threads, not ${JSON.stringify(forced)}`);
    return Math.min(count, chunks);
  }
  if (cores < MIN_CORES_FOR_WORKERS || files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.min(cores, 4, chunks);
}

/**
 * Processes jobs, in parallel on worker threads when {@link workerCount} says they pay (bulk
 * migration is CPU-bound: one parse per file). Results come back in job order.
 * `onProgress` is called after each chunk with the number of files done.
 */
export async function processAll(jobs: readonly FileJob[], onProgress?: (done: number) => void): Promise<FileOutcome[]> {
  // The core count matters only from MIN_FILES_FOR_WORKERS files on: node:os is loaded only for
  // those runs (at a one-file start it was a third of a millisecond).
  const cores = jobs.length >= MIN_FILES_FOR_WORKERS ? (await import('node:os')).availableParallelism() : 0;
  const threads = workerCount(jobs.length, cores);
  // The worker's path only for runs that may use it: the bundle's file URL is made on first use.
  const workerFile = threads > 0 ? fileURLToPath(new URL('./worker.js', import.meta.url)) : undefined;
  // Without the built worker (running from source) the main thread does the work, unless
  // workers were asked for: then a missing worker is a broken build, not a choice.
  if (workerFile !== undefined && !existsSync(workerFile) && process.env[WORKERS_ENV]) throw new Error(`${workerFile} is missing`);
  if (workerFile === undefined || !existsSync(workerFile)) {
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

// The choice of worker threads for a bulk run (src/io/pool.ts). The bench (`npm run bench`)
// shows the choice is never slower than one thread; these pin the rules it measured.
import { describe, expect, it } from 'vitest';
import { MIN_CORES_FOR_WORKERS, MIN_FILES_FOR_WORKERS, workerCount } from '../src/io/pool.js';

describe('workerCount', () => {
  it('keeps to the main thread below the core or file thresholds', () => {
    expect(workerCount(100_000, MIN_CORES_FOR_WORKERS - 1, undefined)).toBe(0);
    expect(workerCount(2, 2, undefined)).toBe(0);
    expect(workerCount(MIN_FILES_FOR_WORKERS - 1, 64, undefined)).toBe(0);
  });

  it('uses up to 4 workers with enough cores and files', () => {
    expect(workerCount(MIN_FILES_FOR_WORKERS, MIN_CORES_FOR_WORKERS, undefined)).toBe(MIN_CORES_FOR_WORKERS);
    expect(workerCount(100_000, 64, undefined)).toBe(4);
  });

  it('follows a forced count, at most one worker per chunk of files, 0 for the main thread', () => {
    expect(workerCount(5000, 2, '2')).toBe(2);
    expect(workerCount(20, 2, '3')).toBe(2);
    expect(workerCount(5000, 64, '0')).toBe(0);
    expect(workerCount(5000, 2, '')).toBe(0);
    expect(() => workerCount(5000, 2, 'two')).toThrow(/whole number/);
  });
});

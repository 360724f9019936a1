import { defineConfig } from 'vitest/config';

// Timeouts are a guard against hangs, not speed goals (those live in `npm run bench`): the
// suite runs beside real containers on a 2-core machine, where a test that starts node or
// docker several times can take far longer than vitest's 5 s default.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

// One test runner for every part; tests live under test/ and mirror the source tree.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

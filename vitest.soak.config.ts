/**
 * `npm run soak`: the long reliability runs (test/reliability/*.soak.ts), kept out of `npm test`.
 * One file at a time, since each loads both cores of the machine on its own.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.soak.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});

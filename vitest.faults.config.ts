import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';

/**
 * `npm run test:faults`: each class of fault from issue 11 against the built server, real
 * SQLite and real files (a tmpfs for the full disk where the machine allows mounting).
 * Runs after `npm run build` (npm test builds first).
 */
export default defineConfig({
  resolve: { alias: { '@shared': resolve(__dirname, 'src/shared') } },
  test: {
    include: ['test/faults/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file at a time: several start servers and child processes, some mount file systems.
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e and chaos tests start real sshd/ssh processes; two cores do not like many at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});

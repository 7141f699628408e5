import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // dist/ built from the sources before any test starts kmux (test/global-setup.ts)
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: integration and e2e files start servers and terminals; two workers keep them from starving each other.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'test/vitest.config.ts'],
    // Two cores here and in CI: keep workers few so suites do not starve each other.
    maxWorkers: 2,
  },
});

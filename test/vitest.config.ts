import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@orgpatch/source'] } },
  resolve: { conditions: ['@orgpatch/source'] },
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@orgpatch/source'] } },
  resolve: { conditions: ['@orgpatch/source'] },
  test: { name: 'core', include: ['test/**/*.test.ts'], environment: 'node' },
});

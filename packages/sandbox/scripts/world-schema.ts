/**
 * Writes examples/world.schema.json from the sandbox's zod schema (zod 4 `z.toJSONSchema`), then
 * formats it with the repository's Biome settings.
 * Run from the repository root: npx tsx --conditions=@orgpatch/source packages/sandbox/scripts/world-schema.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { worldJsonSchema } from '../src/world/schema.js';

const root = join(import.meta.dirname, '..', '..', '..');
const target = join(root, 'examples', 'world.schema.json');
writeFileSync(target, `${JSON.stringify(worldJsonSchema(), null, 2)}\n`);
execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', target], {
  cwd: root,
  stdio: 'ignore',
});
process.stdout.write(`wrote ${target}\n`);

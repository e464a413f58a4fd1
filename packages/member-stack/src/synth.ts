import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INLINE_TEMPLATE_LIMIT_BYTES, memberTemplates, templateBodyBytes } from './memberTemplates.js';

/**
 * `npm run synth -w @orgpatch/member-stack`: writes the three member templates to
 * packages/member-stack/templates/{global,regional,management}.template.json (git-ignored) and prints
 * each one's size as inline TemplateBody (compact JSON) against the 51,200-byte limit.
 */
const outDir = join(import.meta.dirname, '..', 'templates');
mkdirSync(outDir, { recursive: true });

const templates = memberTemplates({ validate: process.argv.includes('--validate') });
let tooBig = false;
for (const [name, template] of Object.entries(templates)) {
  const file = join(outDir, `${name}.template.json`);
  writeFileSync(file, `${JSON.stringify(template, undefined, 2)}\n`);
  const bytes = templateBodyBytes(template);
  tooBig ||= bytes > INLINE_TEMPLATE_LIMIT_BYTES;
  console.log(`${name.padEnd(10)} ${String(bytes).padStart(6)} bytes (limit ${INLINE_TEMPLATE_LIMIT_BYTES})  ${file}`);
}
if (tooBig) {
  console.error('A template exceeds the inline TemplateBody limit: upload it to S3 and pass TemplateURL instead.');
  process.exitCode = 1;
}

import { checkTaskPayloadSize } from '@orgpatch/core';
import type { RegisterCommand } from '../command.js';
import { parseRequestText, readInputFile } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { printJson, println } from '../io.js';
import { renderIssues, renderRequest } from '../render.js';

/** `orgpatch validate <payload>`: every problem with its path, or the normalized request. */
export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description(
      'Check a payload (blog or Organization form): print every problem with its JSON path, or the normalized request.',
    )
    .argument('<payload>', 'payload JSON file')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid, 2 usage error (unknown option, unreadable file).')
    .action(async (path: string, opts: { json?: boolean }) => {
      const { io, out, err } = ctx;
      const text = await readInputFile(path, io, 'payload');
      const parsed = parseRequestText(text);
      // Measured on the compact form: a maintenance-window task holds the payload, not the file's whitespace.
      const compact = (() => {
        try {
          return JSON.stringify(JSON.parse(text.replace(/^\uFEFF/, '')));
        } catch {
          return text;
        }
      })();
      const sizeIssue = checkTaskPayloadSize(compact);
      const warnings = sizeIssue ? [sizeIssue] : [];
      if (!parsed.ok) {
        if (opts.json) printJson(io.stdout, { valid: false, issues: parsed.issues });
        else {
          println(
            io.stderr,
            err.red(`${path}: ${parsed.issues.length} problem${parsed.issues.length === 1 ? '' : 's'}`),
          );
          println(io.stderr, renderIssues(parsed.issues, err));
        }
        ctx.setExit(EXIT.failed);
        return;
      }
      if (opts.json) {
        printJson(io.stdout, { valid: true, request: parsed.request, warnings });
      } else {
        println(io.stdout, `${out.green('✓')} ${path} is valid`);
        println(io.stdout, renderRequest(parsed.request, out));
        for (const w of warnings) println(io.stderr, err.yellow(`warning: ${w.message} (${w.hint ?? ''})`));
      }
      ctx.setExit(EXIT.ok);
    });
};

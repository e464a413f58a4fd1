import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OrchestratorEntryNotFoundError } from './errors.js';

const ORCHESTRATOR_PACKAGE = '@orgpatch/orchestrator';

/** Where the orchestrator's two Lambda entry points live, and what esbuild needs to bundle them. */
export interface OrchestratorEntries {
  /** The state machine's step entry point (exports `handler`). */
  readonly stepHandler: string;
  /** The maintenance window's starter entry point (exports `handler`). */
  readonly startHandler: string;
  /** The scheduled compliance snapshot's entry point (exports `handler`). */
  readonly complianceHandler: string;
  /** The directory whose lock file pins the bundled dependencies (the workspace or consumer root). */
  readonly projectRoot: string;
  /** The lock file in `projectRoot`. */
  readonly depsLockFilePath: string;
  /**
   * True when the entries are TypeScript sources (a workspace checkout): workspace packages must
   * then be resolved through their `@orgpatch/source` export condition, as tsc and vitest do.
   */
  readonly fromSource: boolean;
}

const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lockb'];

/**
 * Finds the installed `@orgpatch/orchestrator` package and its Lambda entry points.
 *
 * The package's `exports` map publishes only `.`, so `require.resolve('.../package.json')` is
 * refused; instead this walks the same `node_modules` directories Node would search and follows
 * the workspace symlink. A workspace checkout bundles `src/lambda/*.ts`; an npm install (which
 * ships `dist` only) bundles `dist/lambda/*.js`.
 */
export function resolveOrchestratorEntries(): OrchestratorEntries {
  const require = createRequire(import.meta.url);
  const searched = require.resolve.paths(ORCHESTRATOR_PACKAGE) ?? [];
  const packageDir = searched
    .map((dir) => join(dir, ORCHESTRATOR_PACKAGE))
    .find((dir) => existsSync(join(dir, 'package.json')));
  if (packageDir === undefined) {
    throw new OrchestratorEntryNotFoundError(
      `${ORCHESTRATOR_PACKAGE} is not installed where @orgpatch/infra can see it (searched ${searched.length} node_modules directories); add it to your dependencies and run npm install.`,
    );
  }
  const realDir = realpathSync(packageDir);
  const candidates: readonly { readonly dir: string; readonly ext: string; readonly fromSource: boolean }[] = [
    { dir: join(realDir, 'src', 'lambda'), ext: '.ts', fromSource: true },
    { dir: join(realDir, 'dist', 'lambda'), ext: '.js', fromSource: false },
  ];
  const found = candidates.find((c) => existsSync(join(c.dir, `stepHandler${c.ext}`)));
  if (found === undefined) {
    throw new OrchestratorEntryNotFoundError(
      `${ORCHESTRATOR_PACKAGE} at ${realDir} has neither src/lambda/stepHandler.ts nor dist/lambda/stepHandler.js; build it (npm run build -w ${ORCHESTRATOR_PACKAGE}), or update it to a version with the Step Functions engine.`,
    );
  }
  const startHandler = join(found.dir, `startHandler${found.ext}`);
  if (!existsSync(startHandler)) {
    throw new OrchestratorEntryNotFoundError(
      `${ORCHESTRATOR_PACKAGE} at ${realDir} has no ${startHandler}; the maintenance window's starter needs it. Update ${ORCHESTRATOR_PACKAGE}.`,
    );
  }
  const depsLockFilePath = findLockFile(realDir);
  return {
    stepHandler: join(found.dir, `stepHandler${found.ext}`),
    startHandler,
    complianceHandler: join(found.dir, `complianceHandler${found.ext}`),
    projectRoot: dirname(depsLockFilePath),
    depsLockFilePath,
    fromSource: found.fromSource,
  };
}

function findLockFile(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    for (const name of LOCK_FILES) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) break;
  }
  throw new OrchestratorEntryNotFoundError(
    `No lock file (${LOCK_FILES.join(', ')}) above ${from}: NodejsFunction needs one to know the project root. Run npm install in your project.`,
  );
}

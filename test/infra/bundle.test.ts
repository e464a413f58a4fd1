import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { createOrgPatchApp } from '@orgpatch/infra';
import { S3RunStore } from '@orgpatch/orchestrator';
import { type Sandbox, startSandbox, type WorldFile } from '@orgpatch/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The exact Lambda bundle `cdk synth` produces (ESM, every dependency inside) is loaded in a fresh
// Node process, pointed at the sandbox, and invoked with the maintenance-window event built from
// the synthesized task payload: proof that bundling works, not only that the sources do.

const execFileAsync = promisify(execFile);

const ORG = 'o-bundletest01';
const ROOT = 'r-bt01';
const MGMT = '100000000000';
const DEV1 = '111111111111';
const DEV2 = '222222222222';
const PROD1 = '333333333333';
const DEV_OU = 'ou-bt01-dev00001';
const PROD_OU = 'ou-bt01-prod0001';
const BUCKET = 'orgpatch-runs';
const WINDOW_ID = 'mw-0123456789abcdef0';
const TASK_EXECUTION_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const web = (count: number) => ({
  instances: [{ count, groups: ['WebServers'], missingPatches: 3, patchMinutes: 10 }],
});
const account = (id: string, name: string, parentId: string, locations: Record<string, unknown>) => ({
  id,
  name,
  email: `${name}@example.com`,
  parentId,
  locations,
});

const world = {
  organization: { id: ORG, rootId: ROOT, managementAccountId: MGMT },
  startTime: '2026-11-01T03:00:00Z',
  regions: ['us-east-1', 'eu-west-1'],
  buckets: [BUCKET],
  ous: [
    { id: DEV_OU, name: 'Dev', parentId: ROOT },
    { id: PROD_OU, name: 'Prod', parentId: ROOT },
  ],
  accounts: [
    account(MGMT, 'management', ROOT, {}),
    account(DEV1, 'dev-one', DEV_OU, { 'us-east-1': web(2), 'eu-west-1': web(1) }),
    account(DEV2, 'dev-two', DEV_OU, { 'us-east-1': { groups: ['WebServers'] } }),
    account(PROD1, 'prod-one', PROD_OU, { 'us-east-1': web(2) }),
  ],
} as WorldFile;

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  /** The task payload as the maintenance window hands it to the function. */
  readonly event: Record<string, unknown>;
}

let outdir: string;
let bundle: Bundle;
let sandbox: Sandbox;

/** Finds the function the maintenance-window task invokes, its asset in the cloud assembly, and the task payload. */
function findRunBundle(dir: string): Bundle {
  type Resource = { Type: string; Properties: Record<string, unknown> };
  const template = JSON.parse(readFileSync(join(dir, 'OrgPatch.template.json'), 'utf8')) as {
    Resources: Record<string, Resource>;
  };
  const resources = Object.values(template.Resources);
  const task = resources.find((r) => r.Type === 'AWS::SSM::MaintenanceWindowTask');
  if (!task) throw new Error('no maintenance-window task in the template');
  // The function the state machine's Tasks invoke: the step Lambda (the window's task is the starter).
  const machine = resources.find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const functionId =
    JSON.stringify(machine?.Properties.DefinitionString).match(/"Fn::GetAtt":\["([^"]+)","Arn"\]/)?.[1] ?? '';
  const fn = template.Resources[functionId];
  if (!fn) throw new Error(`the state machine invokes ${functionId}, which is not in the template`);
  const s3Key = (fn.Properties.Code as { S3Key: string }).S3Key;
  const manifest = JSON.parse(readFileSync(join(dir, 'OrgPatch.assets.json'), 'utf8')) as {
    files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const asset = Object.values(manifest.files).find((f) =>
    Object.values(f.destinations).some((d) => d.objectKey === s3Key),
  );
  if (!asset) throw new Error(`no asset with object key ${s3Key}`);
  const file = join(dir, asset.source.path, 'index.mjs');

  const encoded = (
    task.Properties.TaskInvocationParameters as { MaintenanceWindowLambdaParameters: { Payload: string } }
  ).MaintenanceWindowLambdaParameters.Payload;
  // What the window does before invoking: fill in its pseudo-parameters.
  const text = Buffer.from(encoded, 'base64')
    .toString('utf8')
    .replaceAll('{{WINDOW_ID}}', WINDOW_ID)
    .replaceAll('{{TASK_EXECUTION_ID}}', TASK_EXECUTION_ID);
  return { file, bytes: statSync(file).size, event: JSON.parse(text) as Record<string, unknown> };
}

/** The node_modules directories Node would search from `dir`. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) found.push(join(d, 'node_modules'));
    if (dirname(d) === d) return found;
  }
}

/** Imports the bundle in a fresh Node process with `env` and calls `handler(event, context)`. */
async function invokeBundle(
  file: string,
  event: unknown,
  env: Record<string, string>,
): Promise<{ result: unknown; importMs: number }> {
  const script = `
    const started = performance.now();
    const mod = await import(${JSON.stringify(pathToFileURL(file).href)});
    const importMs = performance.now() - started;
    const context = { functionName: 'orgpatch-run', awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 900000 };
    const result = await mod.handler(JSON.parse(process.env.ORGPATCH_TEST_EVENT), context);
    process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ result, importMs }));
  `;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env, ORGPATCH_TEST_EVENT: JSON.stringify(event) },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  const marker = stdout.lastIndexOf('@@RESULT@@');
  if (marker < 0) throw new Error(`the bundle printed no result:\n${stdout}`);
  return JSON.parse(stdout.slice(marker + '@@RESULT@@'.length)) as { result: unknown; importMs: number };
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'orgpatch-bundle-'));
  const { app } = createOrgPatchApp({
    outdir,
    builtinCloudFormationValidation: false,
    context: {
      'orgpatch:organizationId': ORG,
      'orgpatch:targetOus': [DEV_OU, PROD_OU],
      'orgpatch:region': 'us-east-1',
      'orgpatch:regions': ['us-east-1', 'eu-west-1'],
      'orgpatch:resourceGroups': ['WebServers'],
      'orgpatch:operation': 'Install',
      'orgpatch:maxErrors': '0',
      'orgpatch:waves': [
        { name: 'dev', targetOus: [DEV_OU] },
        { name: 'prod', targetOus: [PROD_OU] },
      ],
    },
  });
  app.synth();
  bundle = findRunBundle(outdir);
  sandbox = await startSandbox({ world, timeScale: 0, emptyPageRate: 0.2 });
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('the bundled step Lambda', () => {
  it('is one ES module that imports nothing but Node.js built-ins', () => {
    const source = readFileSync(bundle.file, 'utf8');
    const specifiers = [
      ...[...source.matchAll(/\b(?:import|export)\b[^;'"]{0,200}?\bfrom\s*["']([^"']+)["']/g)].map((m) => m[1]),
      ...[...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
    ];
    expect(specifiers.length).toBeGreaterThan(0);
    // Built-ins with or without `node:`: @aws-sdk/lib-storage imports `buffer`, `events` and
    // `stream` by their bare names, which Node resolves to its own modules before any package.
    expect(specifiers.filter((s) => s === undefined || !isBuiltin(s))).toEqual([]);
    console.info(`orchestrator run bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB (${bundle.bytes} bytes)`);
  });

  it("begins the run (discovers, records, starts nothing) when invoked with the state machine's first step", async () => {
    // Run it alone in an empty directory, so nothing it needs can come from a node_modules.
    const isolated = mkdtempSync(join(tmpdir(), 'orgpatch-lambda-'));
    const file = join(isolated, 'index.mjs');
    copyFileSync(bundle.file, file);
    expect(nodeModulesAbove(isolated)).toEqual([]);
    const { result, importMs } = await invokeBundle(
      file,
      { step: 'begin', payload: bundle.event },
      {
        ...sandbox.env('us-east-1'),
        ORGPATCH_RUN_BUCKET: BUCKET,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    );
    console.info(`cold import of the bundled handler in a fresh process: ${importMs.toFixed(0)} ms`);

    const runId = `mw-${TASK_EXECUTION_ID}`;
    // `begin` discovers the Organization and records the run, its plan groups still to plan; it starts nothing.
    expect(result).toEqual({ runId, dryRun: false, resumed: false, groups: [0], skipped: null });
    expect(sandbox.calls.count({ operation: 'StartAutomationExecution' })).toBe(0);

    // The run record went to the bucket named by ORGPATCH_RUN_BUCKET, with the synthesized request.
    const s3 = new S3Client(sandbox.clientConfig('us-east-1'));
    try {
      // Read as the orchestrator reads it: the manifest, validated.
      const record = await new S3RunStore({ client: s3, bucket: BUCKET }).sharded?.manifest(runId);
      if (!record) throw new Error(`no manifest for ${runId} in the bucket`);
      expect(record.request.windowId).toBe(WINDOW_ID);
      expect(record.request.taskExecutionId).toBe(TASK_EXECUTION_ID);
      expect(record.request.document.name).toBe('OrgPatch-RunPatchBaseline');
      expect(record.request.operation).toBe('Install');
      expect(record.dryRun).toBe(false);
    } finally {
      s3.destroy();
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});

import { createHash } from 'node:crypto';
import { AUTOMATION_DOCUMENT_SHA256, canonicalJson, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import {
  AUTOMATION_DOCUMENT_OUTPUTS,
  AUTOMATION_DOCUMENT_PARAMETER_NAMES,
  AUTOMATION_STEP_NAME,
  orgPatchRunbookContent as doc,
  RUN_PATCH_BASELINE_DOCUMENT_NAME,
  type RunbookParameter,
  SNAPSHOT_STEP_NAMES,
  SNAPSHOT_TAG_KEYS,
} from '../src/definitions.js';
import { AWS_RUN_PATCH_BASELINE_PARAMETERS, RUN_COMMAND_ACTION_OUTPUTS } from './fixtures/awsRunPatchBaseline.js';

function param(name: string): RunbookParameter {
  const p = doc.parameters[name];
  if (!p) throw new Error(`parameter ${name} is not declared`);
  return p;
}

/** Every `{{ ... }}` reference in the document, trimmed. */
function references(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\{\{([^{}]*)\}\}/g)].map((m) => (m[1] ?? '').trim());
  if (Array.isArray(value)) return value.flatMap(references);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(references);
  return [];
}

/** The step that runs AWS-RunPatchBaseline. */
const patchStep = doc.mainSteps.find((s) => s.name === AUTOMATION_STEP_NAME);
const stepNamed = (name: string) => doc.mainSteps.find((s) => s.name === name);

describe('orgPatchRunbookContent', () => {
  it('is the content whose SHA-256 core names, so orgpatch doctor knows this runbook', () => {
    const sha256 = createHash('sha256').update(canonicalJson(doc)).digest('hex');
    expect(
      sha256,
      `the runbook changed: set AUTOMATION_DOCUMENT_SHA256 in packages/core/src/memberNames.ts to '${sha256}'`,
    ).toBe(AUTOMATION_DOCUMENT_SHA256);
  });

  it('is plain JSON: it survives a JSON round trip unchanged, as CreateDocument and the template carry it', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('is deeply frozen, so no consumer can change what every other one deploys or installs', () => {
    expect(() => {
      (doc as { schemaVersion: string }).schemaVersion = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (patchStep?.inputs.Parameters as Record<string, string>).Operation = 'Install';
    }).toThrow(TypeError);
    expect(doc.schemaVersion).toBe('0.3');
  });
});

describe('the automation document', () => {
  it('is schema 0.3 and runs as the role passed in AutomationAssumeRole', () => {
    expect(doc.schemaVersion).toBe('0.3');
    expect(doc.assumeRole).toBe('{{ AutomationAssumeRole }}');
  });

  it('declares exactly AutomationAssumeRole, InstanceIds, Operation, RebootOption, SnapshotId, InstallOverrideList, PrePatchSnapshot and RunId', () => {
    expect(Object.keys(doc.parameters).sort()).toEqual(
      [
        'AutomationAssumeRole',
        'InstallOverrideList',
        'InstanceIds',
        'Operation',
        'PrePatchSnapshot',
        'RebootOption',
        'RunId',
        'SnapshotId',
      ].sort(),
    );
    expect(Object.values(AUTOMATION_DOCUMENT_PARAMETER_NAMES).sort()).toEqual(Object.keys(doc.parameters).sort());
    for (const p of Object.values(doc.parameters)) expect(p.description).toBeTruthy();
  });

  it('takes the rate-control target in a StringList parameter named as core says', () => {
    expect(param(TARGET_PARAMETER_NAME).type).toBe('StringList');
    expect(param(TARGET_PARAMETER_NAME).default).toBeUndefined();
    expect(patchStep?.inputs.InstanceIds).toBe(`{{ ${TARGET_PARAMETER_NAME} }}`);
  });

  it('requires AutomationAssumeRole and accepts role ARNs of every partition only', () => {
    const p = param('AutomationAssumeRole');
    expect(p.type).toBe('String');
    expect(p.default).toBeUndefined();
    const pattern = new RegExp(p.allowedPattern ?? '(?!)');
    for (const ok of [
      'arn:aws:iam::222222222222:role/OrgPatchAutomationRole',
      'arn:aws-cn:iam::222222222222:role/OrgPatchAutomationRole',
      'arn:aws-us-gov:iam::222222222222:role/path/R',
    ]) {
      expect(pattern.test(ok), ok).toBe(true);
    }
    for (const bad of ['', 'OrgPatchAutomationRole', 'arn:aws:iam::222222222222:user/u', 'arn:aws:iam::22:role/r']) {
      expect(pattern.test(bad), bad).toBe(false);
    }
  });

  it('restricts Operation, RebootOption, SnapshotId and InstallOverrideList exactly as AWS-RunPatchBaseline does', () => {
    const aws = AWS_RUN_PATCH_BASELINE_PARAMETERS;
    expect(param('Operation').allowedValues).toEqual(aws.Operation.allowedValues);
    expect(param('RebootOption').allowedValues).toEqual(aws.RebootOption.allowedValues);
    expect(param('SnapshotId').allowedPattern).toBe(aws.SnapshotId.allowedPattern);
    expect(param('InstallOverrideList').allowedPattern).toBe(aws.InstallOverrideList.allowedPattern);
    for (const name of ['Operation', 'RebootOption', 'SnapshotId', 'InstallOverrideList']) {
      expect(param(name).type, name).toBe('String');
    }
  });

  it('defaults to a Scan that may reboot, a snapshot chosen by SSM and no override list', () => {
    expect(param('Operation').default).toBe('Scan');
    expect(param('RebootOption').default).toBe(AWS_RUN_PATCH_BASELINE_PARAMETERS.RebootOption.default);
    expect(param('SnapshotId').default).toBe('');
    expect(param('InstallOverrideList').default).toBe('');
    for (const p of Object.values(doc.parameters)) {
      if (p.default === undefined) continue;
      if (p.allowedValues) expect(p.allowedValues).toContain(p.default);
      if (p.allowedPattern) expect(new RegExp(p.allowedPattern).test(p.default)).toBe(true);
    }
  });

  it('accepts GUID snapshot ids and https or s3 override lists, and refuses other values', () => {
    const snapshot = new RegExp(param('SnapshotId').allowedPattern ?? '(?!)');
    expect(snapshot.test('12345699-9405-4f69-bc5e-9315a0abcd12')).toBe(true);
    expect(snapshot.test('not-a-guid')).toBe(false);
    const list = new RegExp(param('InstallOverrideList').allowedPattern ?? '(?!)');
    expect(list.test('s3://bucket/lists/windows.yaml')).toBe(true);
    expect(list.test('https://s3.amazonaws.com/bucket/list.yaml')).toBe(true);
    expect(list.test('http://example.com/list.yaml')).toBe(false);
    expect(list.test('s3://bucket-only')).toBe(false);
  });

  it('has one aws:runCommand step, the last, that runs AWS-RunPatchBaseline with a timeout, once, aborting on failure', () => {
    expect(doc.mainSteps.filter((s) => s.action === 'aws:runCommand')).toHaveLength(1);
    const step = doc.mainSteps.at(-1);
    expect(step?.name).toBe(AUTOMATION_STEP_NAME);
    expect(step?.action).toBe('aws:runCommand');
    expect(step?.inputs.DocumentName).toBe(RUN_PATCH_BASELINE_DOCUMENT_NAME);
    expect(step?.timeoutSeconds).toBeGreaterThanOrEqual(3600);
    expect(step?.onFailure).toBe('Abort');
    expect(step?.maxAttempts).toBe(1);
    expect(step?.isEnd).toBe(true);
    expect(step?.inputs.TimeoutSeconds).toBeGreaterThanOrEqual(30);
  });

  it('passes only parameters AWS-RunPatchBaseline declares, each from the matching document parameter', () => {
    const passed = (patchStep?.inputs.Parameters ?? {}) as Record<string, string>;
    for (const [name, value] of Object.entries(passed)) {
      expect(Object.keys(AWS_RUN_PATCH_BASELINE_PARAMETERS), name).toContain(name);
      expect(value).toBe(`{{ ${name} }}`);
    }
    expect(Object.keys(passed).sort()).toEqual(['InstallOverrideList', 'Operation', 'RebootOption', 'SnapshotId']);
  });

  it('resolves every {{ }} reference to a declared parameter, and every output to a step output', () => {
    const refs = references(doc);
    expect(refs.length).toBeGreaterThan(0);
    const stepOutputs = doc.mainSteps.flatMap((s) =>
      s.action === 'aws:runCommand'
        ? RUN_COMMAND_ACTION_OUTPUTS.map((o) => `${s.name}.${o}`)
        : (s.outputs ?? []).map((o) => `${s.name}.${o.Name}`),
    );
    for (const ref of refs) expect([...Object.keys(doc.parameters), ...stepOutputs], ref).toContain(ref);
    for (const output of doc.outputs) expect(stepOutputs, output).toContain(output);
    expect(doc.outputs).toEqual([...AUTOMATION_DOCUMENT_OUTPUTS]);
    // Every declared parameter is used somewhere: nothing the orchestrator passes is silently dropped.
    for (const name of Object.keys(doc.parameters)) expect(refs, name).toContain(name);
  });
});

describe('the pre-patch snapshot steps', () => {
  it('branch on PrePatchSnapshot: true snapshots first, anything else goes straight to patching', () => {
    const [branch] = doc.mainSteps;
    expect(branch?.name).toBe(SNAPSHOT_STEP_NAMES.branch);
    expect(branch?.action).toBe('aws:branch');
    expect(branch?.inputs).toEqual({
      Choices: [
        { NextStep: SNAPSHOT_STEP_NAMES.resolveInstance, Variable: '{{ PrePatchSnapshot }}', StringEquals: 'true' },
      ],
      Default: AUTOMATION_STEP_NAME,
    });
    expect(param('PrePatchSnapshot')).toMatchObject({ allowedValues: ['true', 'false'], default: 'false' });
  });

  it('take one CreateSnapshots of the instance, tagged with the run and the instance, then wait for completed', () => {
    const create = stepNamed(SNAPSHOT_STEP_NAMES.create);
    expect(create).toMatchObject({ action: 'aws:executeAwsApi', onFailure: 'Abort', maxAttempts: 1 });
    expect(create?.inputs).toMatchObject({ Service: 'ec2', Api: 'CreateSnapshots', CopyTagsFromSource: 'volume' });
    const tags = (
      create?.inputs.TagSpecifications as { ResourceType: string; Tags: { Key: string }[] }[] | undefined
    )?.[0];
    expect(tags?.ResourceType).toBe('snapshot');
    expect(tags?.Tags.map((t) => t.Key)).toEqual([SNAPSHOT_TAG_KEYS.RUN_ID, SNAPSHOT_TAG_KEYS.INSTANCE_ID]);
    const wait = stepNamed(SNAPSHOT_STEP_NAMES.wait);
    expect(wait).toMatchObject({ action: 'aws:waitForAwsResourceProperty', onFailure: 'Abort' });
    expect(wait?.inputs).toMatchObject({
      Api: 'DescribeSnapshots',
      SnapshotIds: `{{ ${SNAPSHOT_STEP_NAMES.create}.SnapshotIds }}`,
      DesiredValues: ['completed'],
    });
    // Snapshot steps come before the patch step, so a failed snapshot patches nothing.
    const names = doc.mainSteps.map((s) => s.name);
    expect(names.indexOf(SNAPSHOT_STEP_NAMES.wait)).toBeLessThan(names.indexOf(AUTOMATION_STEP_NAME));
  });
});

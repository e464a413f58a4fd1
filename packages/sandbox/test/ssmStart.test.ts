import { AUTOMATION_DOCUMENT_NAME, TARGET_PARAMETER_NAME } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { awsError, harness } from './ssmHarness.js';
import {
  ACCOUNT,
  account,
  ctx,
  instance,
  instanceId,
  OTHER_ACCOUNT,
  REGION,
  region,
  runParameters,
  world,
} from './ssmWorld.js';

const TOKEN = '5f0c1f2a-6b1d-4c55-8a11-0d6c2b4e9f10';

function setup() {
  const ids = [1, 2, 3].map(instanceId);
  const home = region(
    REGION,
    ids.map((id) => instance(id)),
    { web: ids },
  );
  const other = region(
    REGION,
    ids.map((id) => instance(id)),
    { web: ids },
  );
  return harness(
    world([
      account(ACCOUNT, [home, region('eu-west-1', [], {}, { document: false })]),
      account(OTHER_ACCOUNT, [other]),
    ]),
  );
}

const rateControlled = (extra: Record<string, unknown> = {}) => ({
  DocumentName: AUTOMATION_DOCUMENT_NAME,
  Parameters: runParameters('Install'),
  TargetParameterName: TARGET_PARAMETER_NAME,
  Targets: [{ Key: 'ResourceGroup', Values: ['web'] }],
  MaxConcurrency: '2',
  MaxErrors: '1',
  ...extra,
});

describe('StartAutomationExecution checks', () => {
  it('refuses a document that is not in this account and Region', async () => {
    const { call } = setup();
    await awsError(
      call('StartAutomationExecution', rateControlled({ DocumentName: 'Not-There' })),
      'AutomationDefinitionNotFoundException',
    );
    await awsError(
      call('StartAutomationExecution', rateControlled(), ctx('StartAutomationExecution', ACCOUNT, 'eu-west-1')),
      'AutomationDefinitionNotFoundException',
    );
    await awsError(
      call('StartAutomationExecution', rateControlled({ DocumentVersion: '2' })),
      'AutomationDefinitionVersionNotFoundException',
    );
    const started = await call('StartAutomationExecution', rateControlled({ DocumentVersion: '$DEFAULT' }));
    expect(started.AutomationExecutionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('checks parameters against the document in SSM wording', async () => {
    const { call } = setup();
    const start = (parameters: Record<string, string[]>) =>
      call('StartAutomationExecution', rateControlled({ Parameters: parameters }));
    expect(
      await awsError(
        start(runParameters('Install', { Bogus: ['x'] })),
        'InvalidAutomationExecutionParametersException',
      ),
    ).toBe('Undefined execution inputs: [Bogus].');
    const { AutomationAssumeRole: _omitted, ...withoutRole } = runParameters('Install');
    expect(await awsError(start(withoutRole), 'InvalidAutomationExecutionParametersException')).toBe(
      'Missing required parameter: AutomationAssumeRole in user inputs.',
    );
    expect(
      await awsError(
        start(runParameters('Install', { Operation: ['install'] })),
        'InvalidAutomationExecutionParametersException',
      ),
    ).toBe('Parameter "Operation" has value "install" not found in [Scan, Install].');
    expect(
      await awsError(
        start(runParameters('Install', { Operation: ['Scan', 'Install'] })),
        'InvalidAutomationExecutionParametersException',
      ),
    ).toMatch(/Parameter "Operation" is of type String and takes one value, but has 2/);
    expect(
      await awsError(
        start(runParameters('Install', { SnapshotId: ['not-a-guid'] })),
        'InvalidAutomationExecutionParametersException',
      ),
    ).toMatch(/^Parameter "SnapshotId" has value "not-a-guid" not matching/);
  });

  it('requires the target parameter only when no targets fill it', async () => {
    const { call } = setup();
    const plain = { DocumentName: AUTOMATION_DOCUMENT_NAME, Parameters: runParameters('Scan') };
    expect(
      await awsError(call('StartAutomationExecution', plain), 'InvalidAutomationExecutionParametersException'),
    ).toBe(`Missing required parameter: ${TARGET_PARAMETER_NAME} in user inputs.`);
    const direct = await call('StartAutomationExecution', {
      ...plain,
      Parameters: runParameters('Scan', { [TARGET_PARAMETER_NAME]: [instanceId(1), instanceId(2)] }),
    });
    expect(direct.AutomationExecutionId).toBeDefined();
    await awsError(
      call('StartAutomationExecution', rateControlled({ TargetParameterName: 'NotDeclared' })),
      'InvalidAutomationExecutionParametersException',
    );
    await awsError(
      call('StartAutomationExecution', rateControlled({ Targets: undefined })),
      'InvalidAutomationExecutionParametersException',
    );
  });

  it('validates rate controls and targets with the API patterns', async () => {
    const { call } = setup();
    expect(
      await awsError(call('StartAutomationExecution', rateControlled({ MaxConcurrency: '0' })), 'ValidationException'),
    ).toContain(
      "Value '0' at 'maxConcurrency' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    await awsError(call('StartAutomationExecution', rateControlled({ MaxConcurrency: '101%' })), 'ValidationException');
    await awsError(call('StartAutomationExecution', rateControlled({ MaxErrors: '-1' })), 'ValidationException');
    expect(
      (await call('StartAutomationExecution', rateControlled({ MaxErrors: '0', MaxConcurrency: '100%' })))
        .AutomationExecutionId,
    ).toBeDefined();
    await awsError(
      call('StartAutomationExecution', rateControlled({ ClientToken: 'not-a-uuid' })),
      'ValidationException',
    );
    await awsError(
      call(
        'StartAutomationExecution',
        rateControlled({
          Targets: [
            { Key: 'ResourceGroup', Values: ['web'] },
            { Key: 'ResourceGroup', Values: ['db'] },
          ],
        }),
      ),
      'InvalidAutomationExecutionParametersException',
    );
    expect(
      await awsError(
        call('StartAutomationExecution', rateControlled({ Targets: [{ Key: 'ResourceGroup', Values: ['missing'] }] })),
        'InvalidTarget',
      ),
    ).toBe(`Resource group missing does not exist in account ${ACCOUNT} Region ${REGION}.`);
    await awsError(
      call('StartAutomationExecution', rateControlled({ Targets: [{ Key: 'Bogus', Values: ['x'] }] })),
      'InvalidTarget',
    );
  });

  it('returns the same execution for the same ClientToken and request, and refuses a different request', async () => {
    const { call } = setup();
    const first = await call('StartAutomationExecution', rateControlled({ ClientToken: TOKEN }));
    const again = await call('StartAutomationExecution', rateControlled({ ClientToken: TOKEN.toUpperCase() }));
    expect(again.AutomationExecutionId).toBe(first.AutomationExecutionId);
    expect(
      await awsError(
        call('StartAutomationExecution', rateControlled({ ClientToken: TOKEN, MaxErrors: '2' })),
        'IdempotentParameterMismatch',
      ),
    ).toContain(TOKEN);
    // Token memory is per account and Region: the same token elsewhere starts a new execution.
    const elsewhere = await call(
      'StartAutomationExecution',
      rateControlled({ ClientToken: TOKEN }),
      ctx('StartAutomationExecution', OTHER_ACCOUNT),
    );
    expect(elsewhere.AutomationExecutionId).not.toBe(first.AutomationExecutionId);
    const listed = await call('DescribeAutomationExecutions', {});
    expect((listed.AutomationExecutionMetadataList as unknown[]).length).toBe(1);
  });

  it('refuses calls in a Region the account has not enabled', async () => {
    const disabled = region('ap-east-1', [], {}, { enabled: false });
    const { call } = harness(world([account(ACCOUNT, [disabled])]));
    await awsError(
      call('StartAutomationExecution', rateControlled(), ctx('StartAutomationExecution', ACCOUNT, 'ap-east-1')),
      'UnrecognizedClientException',
    );
  });
});

import { resolveIntrinsics } from '@orgpatch/test-support/cfn';
import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, logicalIdOf, onlyResource, type Synthesized, synth } from './fixtures.js';

type State = Record<string, unknown> & { Type: string };
interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

const STEP_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:OrgPatch-Step`;

let s: Synthesized;
let definition: Definition;

/** Every state of the definition, those inside Map item processors included, with its path. */
function allStates(def: Definition, prefix = ''): [string, State][] {
  return Object.entries(def.States).flatMap(([name, state]): [string, State][] => {
    const here: [string, State] = [`${prefix}${name}`, state];
    const processor = state.ItemProcessor as Definition | undefined;
    return processor ? [here, ...allStates(processor, `${prefix}${name}/`)] : [here];
  });
}

beforeAll(() => {
  s = synth();
  const machine = onlyResource(s.template, 'AWS::StepFunctions::StateMachine');
  const text = resolveIntrinsics(machine.properties.DefinitionString, {
    pseudo: { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'us-east-1' },
    attributes: { [`${logicalIdOf(s.stack, s.orgPatching.orchestrator.stepFunction)}.Arn`]: STEP_ARN },
    resources: { [logicalIdOf(s.stack, s.orgPatching.notifications.topic)]: TOPIC_ARN },
  });
  definition = JSON.parse(text as string) as Definition;
}, 60_000);

const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:orgpatch-summaries`;

describe('the orchestrator state machine', () => {
  it('is a STANDARD state machine whose synthesized definition asl-validator accepts', () => {
    expect(onlyResource(s.template, 'AWS::StepFunctions::StateMachine').properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      // Every event is logged, without execution data: payloads and outputs stay out of the logs.
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const { isValid, errorsText } = aslValidator(definition);
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('is live: asl-validator refuses a definition broken on purpose', () => {
    const broken = structuredClone(definition);
    (broken.States.WhatNext as State).Choices = 'not a list';
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('flows Begin → DecideNext → WhatNext, and each action to its fan-out and back', () => {
    const st = definition.States;
    expect(definition.StartAt).toBe('Begin');
    expect(st.Begin).toMatchObject({ Next: 'PatchDay', Parameters: { step: 'begin', 'payload.$': '$' } });
    // Not the Patch Tuesday go-day: begin read and started nothing, and the execution ends there.
    expect(st.PatchDay).toMatchObject({
      Type: 'Choice',
      Choices: [{ Not: { Variable: '$.skipped', IsNull: true }, Next: 'NotThePatchDay' }],
      Default: 'DecideNext',
    });
    expect(st.NotThePatchDay?.Type).toBe('Succeed');
    expect(st.DecideNext).toMatchObject({ Next: 'WhatNext', Parameters: { step: 'next', 'runId.$': '$.runId' } });
    expect(st.WhatNext?.Choices).toEqual([
      { Variable: '$.action', StringEquals: 'plan', Next: 'PlanGroups' },
      { Variable: '$.action', StringEquals: 'start', Next: 'StartShards' },
      { Variable: '$.action', StringEquals: 'wait', Next: 'WaitBeforePolling' },
      { Variable: '$.action', StringEquals: 'finish', Next: 'SettleShards' },
    ]);
    expect(st.PlanGroups).toMatchObject({ Next: 'DecideNext', ItemsPath: '$.groups' });
    expect(st.StartShards).toMatchObject({
      Next: 'DecideNext',
      ItemsPath: '$.shards',
      ItemSelector: { step: 'start', 'runId.$': '$.runId', 'wave.$': '$.wave', 'shard.$': '$$.Map.Item.Value' },
    });
    expect(st.WaitBeforePolling).toMatchObject({ Type: 'Wait', SecondsPath: '$.seconds', Next: 'PollShards' });
    expect(st.PollShards).toMatchObject({ Next: 'DecideNextAfterPoll', ItemsPath: '$.shards' });
    expect(st.DecideNextAfterPoll).toMatchObject({
      Next: 'WhatNext',
      Parameters: { step: 'next', 'runId.$': '$.runId', 'quietRounds.$': '$.quietRounds', 'revision.$': '$.revision' },
    });
    expect(st.SettleShards).toMatchObject({ Next: 'Finish', ItemsPath: '$.shards' });
    expect(st.Finish).toMatchObject({ Next: 'PublishSummary', Parameters: { step: 'finish', 'runId.$': '$.runId' } });
    expect(st.Finish?.ResultSelector).toMatchObject({ 'notification.$': '$.notification' });
    // The summary is published as the custom notification finish made, serialized: what chat posts.
    expect(st.PublishSummary).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Next: 'RunFinished',
      Parameters: { TopicArn: TOPIC_ARN, 'Message.$': '$.notification' },
    });
    expect(st.RunFinished?.Type).toBe('Succeed');
  });

  it('publishes the summary with retries, and a summary that cannot be sent leaves the run finished', () => {
    const st = definition.States;
    const retried = ((st.PublishSummary?.Retry ?? []) as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(['SNS.ThrottledException', 'SNS.InternalErrorException']));
    expect(st.PublishSummary?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.summaryError', Next: 'RunFinishedSummaryNotSent' },
    ]);
    expect(st.RunFinishedSummaryNotSent?.Type).toBe('Succeed');
  });

  it('gives every Task, in the parent and in each Map, Retry with backoff and a Catch', () => {
    const tasks = allStates(definition).filter(([, st]) => st.Type === 'Task' && st.Resource === STEP_ARN);
    expect(tasks.map(([name]) => name).sort()).toEqual(
      [
        'Begin',
        'Finish',
        'DecideNext',
        'DecideNextAfterPoll',
        'PlanGroups/Plan',
        'PollShards/Poll',
        'SettleShards/Settle',
        'StartShards/Start',
      ].sort(),
    );
    for (const [name, task] of tasks) {
      expect(task.Resource, name).toBe(STEP_ARN);
      const retry = task.Retry as { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts: number }[];
      const retried = retry.flatMap((r) => r.ErrorEquals);
      for (const error of ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'TransientStepError']) {
        expect(retried, name).toContain(error);
      }
      expect(retried, name).toContain('RunStoreConflictError');
      // Errors a retry cannot mend are never retried: they are caught, and fail the execution.
      for (const permanent of [
        'PayloadValidationError',
        'RunOverlapError',
        'RunRequestMismatchError',
        'DryRunViolationError',
      ]) {
        expect(retried, name).not.toContain(permanent);
      }
      expect(retry.filter((r) => r.ErrorEquals.includes('TransientStepError'))[0]?.BackoffRate, name).toBe(2);
      expect(task.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], Next: expect.any(String) }]);
    }
  });

  it('fails a refused run with the error and cause of begin (an invalid payload: the field), a stopped one likewise', () => {
    const st = definition.States;
    expect(st.Begin?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RunRefused' }]);
    for (const name of [
      'DecideNext',
      'DecideNextAfterPoll',
      'Finish',
      'PlanGroups',
      'StartShards',
      'PollShards',
      'SettleShards',
    ]) {
      expect(st[name]?.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'RunStopped' }]);
    }
    for (const name of ['RunRefused', 'RunStopped']) {
      expect(st[name]).toMatchObject({ Type: 'Fail', ErrorPath: '$.Error', CausePath: '$.Cause' });
    }
  });

  it('fans out through Distributed Maps of STANDARD child executions that keep no results', () => {
    const maps = allStates(definition).filter(([, st]) => st.Type === 'Map');
    expect(maps.map(([name]) => name).sort()).toEqual(['PlanGroups', 'PollShards', 'SettleShards', 'StartShards']);
    for (const [name, map] of maps) {
      expect(map.ItemProcessor, name).toMatchObject({
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      });
      expect(map.ResultPath, name).toBeNull();
      expect(map.MaxConcurrency, name).toBe(20);
      expect(map.ToleratedFailurePercentage ?? 0, name).toBe(0);
    }
  });

  it('lets the state machine start, describe and stop its own child executions, and invoke the step function only', () => {
    const machineId = logicalIdOf(s.stack, s.orgPatching.engine.stateMachine);
    const policies = Object.values(s.template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(machineId.slice(0, -8)),
    );
    const statements = policies.flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    const actions = statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actions).toContain('states:StartExecution');
    expect(actions).toContain('states:DescribeExecution');
    expect(actions).toContain('states:StopExecution');
    const start = statements.find((st) => st.Action === 'states:StartExecution');
    expect(start?.Resource).toEqual({ Ref: machineId });
    expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual(['lambda:InvokeFunction']);
    expect(actions.filter((a) => a.startsWith('s3:') || a.startsWith('sts:') || a.startsWith('ssm:'))).toEqual([]);
  });
});

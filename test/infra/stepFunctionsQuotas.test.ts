import { OrgPatching } from '@orgpatch/infra';
import { SHARD_BOUNDS, STEP_FUNCTIONS_BACKOFF } from '@orgpatch/orchestrator';
import { resolveIntrinsics } from '@orgpatch/test-support/cfn';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';

// The README's "Step Functions engine" calculation, made from the synthesized definition's structure
// and the run's shard bounds: a 10,000-account x 20-Region run stays within Step Functions' quotas.

/** Step Functions quotas (README: Step Functions engine, with the pages they come from). */
const QUOTA = {
  historyEvents: 25_000,
  payloadBytes: 256 * 1024,
  distributedMapParallelChildren: 10_000,
  lambdaConcurrency: 1_000,
} as const;

const ACCOUNTS = 10_000;
const REGIONS = 20;
/** Waves of the largest run considered: more than any payload here uses. */
const WAVES = 10;

type State = Record<string, unknown> & { Type: string; Next?: string };
let states: Record<string, State>;

/** History events one pass through a state adds to the parent execution (successful path). */
function eventsOf(state: State): number {
  switch (state.Type) {
    case 'Task':
      return 5; // TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited
    case 'Map':
      // Distributed: MapStateEntered, MapRunStarted, MapRunSucceeded, MapStateExited; the children's
      // events are in their own histories. An inline Map would add about 6 per item instead.
      if ((state.ItemProcessor as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode !== 'DISTRIBUTED') {
        throw new Error('an inline Map: its events grow with the items');
      }
      return 4;
    default:
      return 2; // entered, exited (Choice, Wait, Pass, Succeed)
  }
}

/**
 * The events of the path from `from` up to (not including) `to`, following Next, or a Choice's Default
 * (the way a run goes ahead), to the end without `to`.
 */
function pathEvents(from: string, to?: string): { events: number; states: string[] } {
  let events = 0;
  const names: string[] = [];
  const after = (name: string): string | undefined =>
    (states[name]?.Next as string | undefined) ?? (states[name]?.Default as string | undefined);
  for (let name: string | undefined = from; name !== to; name = after(name)) {
    const state = name === undefined ? undefined : states[name];
    if (name === undefined || state === undefined) throw new Error(`the path from ${from} never reaches ${to}`);
    if (state.Type === 'Succeed' && to === undefined) return { events: events + 2, states: [...names, name] };
    if (names.includes(name)) throw new Error(`a loop through ${name} before ${to}`);
    names.push(name);
    events += eventsOf(state);
  }
  return { events, states: names };
}

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'OrgPatch', { env: { account: '111111111111', region: 'us-east-1' } });
  const o = new OrgPatching(stack, 'OrgPatching', {
    organizationId: 'o-quotatest01',
    targetOus: ['ou-qt01-00000001'],
    regions: ['us-east-1'],
  });
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const fnId = stack.resolve(stack.getLogicalId(o.orchestrator.stepFunction.node.defaultChild as never)) as string;
  const topicId = stack.resolve(stack.getLogicalId(o.notifications.topic.node.defaultChild as never)) as string;
  const text = resolveIntrinsics(machine?.Properties.DefinitionString, {
    pseudo: { 'AWS::Partition': 'aws', 'AWS::AccountId': '111111111111', 'AWS::Region': 'us-east-1' },
    attributes: { [`${fnId}.Arn`]: 'arn:aws:lambda:us-east-1:111111111111:function:step' },
    resources: { [topicId]: 'arn:aws:sns:us-east-1:111111111111:summaries' },
  }) as string;
  states = (JSON.parse(text) as { States: Record<string, State> }).States;
}, 60_000);

describe('a 10,000-account x 20-Region run on Step Functions', () => {
  it("stays within one execution's 25,000 history events for 24 hours (a window's longest) of polling, news every round", () => {
    const shards = Math.ceil(ACCOUNTS / SHARD_BOUNDS.accountsPerShard);
    // Begin, DecideNext, WhatNext; each plan or start fan-out back to WhatNext; settle, finish, the end.
    const begin = pathEvents('Begin', 'WhatNext').events + 2 + 2; // + WhatNext; + ExecutionStarted/Succeeded
    const fanOut = pathEvents('PlanGroups', 'WhatNext').events + 2;
    const round = pathEvents('WaitBeforePolling', 'WhatNext').events + 2;
    const end = pathEvents('SettleShards').events;
    expect(pathEvents('WaitBeforePolling', 'WhatNext').states).toEqual([
      'WaitBeforePolling',
      'PollShards',
      'DecideNextAfterPoll',
    ]);
    // One plan fan-out (every group at once) and one start fan-out per wave (a wave's shards at once).
    const fixed = begin + fanOut * (1 + WAVES) + end;
    // Retries add events (TaskFailed, TaskScheduled, TaskStarted, ...): a margin of a tenth.
    const budget = Math.floor(QUOTA.historyEvents * 0.9) - fixed;
    const rounds = Math.floor(budget / round);
    const hours = (rounds * STEP_FUNCTIONS_BACKOFF.initialMs) / 3_600_000;
    console.info(
      `history: ${fixed} fixed events + ${round} per poll round -> ${rounds} rounds within 90% of ${QUOTA.historyEvents}; at least ${hours.toFixed(1)} h of polling (${shards} shards)`,
    );
    expect(round).toBe(13);
    expect(rounds).toBeGreaterThan(1_500);
    expect(hours).toBeGreaterThanOrEqual(24);
  });

  it('carries at most a few kilobytes in any state, far below 256 KiB', () => {
    const shards = Math.ceil(ACCOUNTS / SHARD_BOUNDS.accountsPerShard);
    const list = Array.from({ length: shards }, (_, i) => i);
    const runId = `mw-${'0'.repeat(36)}`;
    const largest = [
      { action: 'wait', runId, seconds: 300, quietRounds: 3, revision: 1_000_000, shards: list },
      { action: 'plan', runId, groups: list },
      // A Distributed Map's child results, before ResultPath discards them.
      list.map((shard) => ({ runId, shards: [shard], changed: true })),
    ].map((value) => Buffer.byteLength(JSON.stringify(value)));
    // The execution input is the maintenance window's payload: at most 4,096 bytes.
    const payload = 4_096;
    console.info(`largest state: ${Math.max(...largest)} bytes; execution input at most ${payload} bytes`);
    for (const bytes of [...largest, payload]) expect(bytes).toBeLessThan(QUOTA.payloadBytes / 16);
    // Locations per shard stay within the shard's byte bound, so the shard count follows the accounts.
    expect(SHARD_BOUNDS.accountsPerShard * REGIONS).toBe(2_000);
  });

  it('fans out at most 20 shard steps at once: within Distributed Map and Lambda concurrency', () => {
    const maps = Object.values(states).filter((s) => s.Type === 'Map');
    expect(maps).toHaveLength(4);
    for (const map of maps) {
      expect(map.MaxConcurrency as number).toBeLessThanOrEqual(QUOTA.distributedMapParallelChildren);
      // Every child and the parent's own task at once: far below the Regional Lambda concurrency.
      expect((map.MaxConcurrency as number) + 1).toBeLessThan(QUOTA.lambdaConcurrency / 10);
    }
    const shards = Math.ceil(ACCOUNTS / SHARD_BOUNDS.accountsPerShard);
    // Child executions a poll round starts, and the rate with rounds at least a minute apart.
    const perSecond = shards / (STEP_FUNCTIONS_BACKOFF.initialMs / 1000);
    console.info(`child executions: ${shards} per poll round, at most ${perSecond.toFixed(2)}/s sustained`);
    expect(perSecond).toBeLessThan(2);
  });
});

import { describe, expect, it } from 'vitest';
import { CallLog } from '../src/callLog.js';
import type { CallRecord } from '../src/index.js';

const call = (i: number): CallRecord => ({
  time: i,
  service: i % 3 === 0 ? 'ssm' : 'sts',
  operation: i % 3 === 0 ? 'StartAutomationExecution' : 'AssumeRole',
  accountId: String(100000000000 + (i % 10)),
  region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1',
  outcome: i % 7 === 0 ? 'ThrottlingException' : 'OK',
  statusCode: i % 7 === 0 ? 400 : 200,
  latencyMs: 1.5,
});

describe('CallLog', () => {
  it('counts and lists by any combination of fields', () => {
    const log = new CallLog();
    for (let i = 0; i < 210; i++) log.record(call(i));
    expect(log.size).toBe(210);
    expect(log.count({ service: 'ssm' })).toBe(70);
    expect(log.count({ service: 'ssm', ok: false })).toBe(10);
    expect(log.count({ outcome: 'ThrottlingException', region: 'us-east-1' })).toBe(15);
    expect(log.count({ accountId: '100000000003', since: 100 })).toBe(11);
    expect(log.count({ operation: 'NeverCalled' })).toBe(0);
    expect(log.list({ service: 'ssm', ok: false })[0]).toEqual(call(0));
  });

  it('keeps 200,000 calls and resets to empty', () => {
    const log = new CallLog();
    for (let i = 0; i < 200_000; i++) log.record(call(i));
    expect(log.count({ service: 'sts', region: 'eu-west-1' })).toBe(66_667);
    expect(log.list().at(-1)).toEqual(call(199_999));
    log.reset();
    expect(log.size).toBe(0);
    expect(log.list()).toEqual([]);
  });
});

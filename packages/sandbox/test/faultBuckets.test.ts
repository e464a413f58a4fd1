import { describe, expect, it } from 'vitest';
import { FaultController, type FaultSubject } from '../src/faults.js';

const call = (operation: string, region = 'us-east-1', accountId = '222222222222'): FaultSubject => ({
  service: 'ssm',
  operation,
  accountId,
  region,
});

/** A controller on two hand-driven clocks: real ms and simulated epoch ms. */
function controller(config: ConstructorParameters<typeof FaultController>[0] = {}) {
  const clocks = { real: 0, sim: Date.parse('2025-06-01T00:00:00Z') };
  const faults = new FaultController(config, {}, { realNow: () => clocks.real, simNow: () => clocks.sim });
  /** How many of `n` calls in a row get through. */
  const admitted = (subject: FaultSubject, n: number) =>
    Array.from({ length: n }, () => faults.throttled(subject)).filter((throttled) => !throttled).length;
  return { faults, clocks, admitted };
}

describe('throttling by default at SSM’s published Automation API rates', () => {
  it('lets 1 StartAutomationExecution and 3 Get/DescribeAutomationExecution(s) a second through, per account, Region and API', () => {
    const { admitted } = controller();
    expect(admitted(call('StartAutomationExecution'), 5)).toBe(1);
    expect(admitted(call('StopAutomationExecution'), 5)).toBe(1);
    expect(admitted(call('GetAutomationExecution'), 5)).toBe(3);
    expect(admitted(call('DescribeAutomationExecutions'), 5)).toBe(3);
    expect(admitted(call('DescribeAutomationStepExecutions'), 5)).toBe(3);
    // Other Regions, accounts and APIs have buckets of their own; unpublished APIs are not throttled.
    expect(admitted(call('StartAutomationExecution', 'eu-west-1'), 5)).toBe(1);
    expect(admitted(call('StartAutomationExecution', 'us-east-1', '333333333333'), 5)).toBe(1);
    expect(admitted(call('DescribeInstanceInformation'), 50)).toBe(50);
  });

  it('refills on the simulated clock, and on real time while the simulated clock stands still', () => {
    const { clocks, admitted } = controller();
    expect(admitted(call('GetAutomationExecution'), 4)).toBe(3);
    clocks.sim += 1_000; // a simulated second (advance() or a time scale), no real time
    expect(admitted(call('GetAutomationExecution'), 4)).toBe(3);
    clocks.real += 1_000; // a real second on a frozen clock: the SDK's backoff must not starve
    expect(admitted(call('GetAutomationExecution'), 4)).toBe(3);
    clocks.real += 500;
    clocks.sim += 500;
    expect(admitted(call('GetAutomationExecution'), 4)).toBe(1);
  });

  it('turns off with throttle: [], keeps the quotas when other faults are set, and returns to them on reset', () => {
    const off = controller({ throttle: [] });
    expect(off.admitted(call('StartAutomationExecution'), 10)).toBe(10);
    off.faults.reset();
    expect(off.admitted(call('StartAutomationExecution'), 10)).toBe(1);

    const other = controller({ serverErrorRate: 0 });
    expect(other.admitted(call('StartAutomationExecution'), 10)).toBe(1);
  });
});

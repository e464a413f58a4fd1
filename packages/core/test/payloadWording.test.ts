import { describe, expect, it } from 'vitest';
import { safeParsePayload } from '../src/payload.js';

const base = {
  Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
  Regions: ['us-east-1'],
};

/** The issues of a payload, or none. */
function issues(payload: Record<string, unknown>) {
  const result = safeParsePayload(payload);
  return result.ok ? [] : result.issues;
}

describe('payload wording for values of the wrong kind', () => {
  it('names a number or a boolean where text was expected, with its value', () => {
    const [number] = issues({ ...base, MaxConcurrency: 5 });
    expect(number?.path).toBe('MaxConcurrency');
    expect(number?.message).toMatch(/number 5/);
    const [boolean] = issues({ ...base, MaxErrors: true });
    expect(boolean?.message).toMatch(/boolean true/);
  });

  it('says to write a list when one string was given', () => {
    const [issue] = issues({ ...base, Regions: 'us-east-1' });
    expect(issue?.path).toBe('Regions');
    expect(issue?.hint).toBe('write it as a list: ["us-east-1"]');
  });

  it('says to drop the quotes around a boolean or a number written as text', () => {
    const [dry] = issues({ ...base, DryRun: 'true' });
    expect(dry?.hint).toBe('write true without quotes');
    const [global] = issues({ ...base, Concurrency: { Global: '8' } });
    expect(global?.hint).toBe('write 8 without quotes');
  });
});

describe('AutomationAssumeRole templates', () => {
  it('refuses an empty role, saying to omit it', () => {
    const [issue] = issues({ ...base, Document: { Parameters: { AutomationAssumeRole: [' '] } } });
    expect(issue?.message).toBe('AutomationAssumeRole is empty');
    expect(issue?.hint).toMatch(/omit AutomationAssumeRole/);
  });

  it('names an unknown placeholder and the ones it knows', () => {
    const [issue] = issues({
      ...base,
      Document: { Parameters: { AutomationAssumeRole: ['arn:aws:iam::{{AccountId}}:role/{{Region}}-patching'] } },
    });
    expect(issue?.message).toBe('AutomationAssumeRole uses unknown placeholder {{Region}}');
    expect(issue?.hint).toBe('use {{AccountId}} and, optionally, {{Partition}}');
  });
});

import { describe, expect, it } from 'vitest';
import { OrgPatchingConfigError } from '../src/errors.js';
import { propForPayloadPath, taskPayloadFor } from '../src/taskPayload.js';

describe('propForPayloadPath', () => {
  it.each([
    ['Regions[1]', 'regions[1]'],
    ['Regions', 'regions'],
    ['Organization.TargetOus[0]', 'targetOus[0]'],
    ['Organization.ExcludeAccounts[2]', 'excludeAccounts[2]'],
    ['Organization.Waves[0].Name', 'waves[0].name'],
    ['Organization.Waves[1].TargetOus[3]', 'waves[1].targetOus[3]'],
    ['Organization.ErrorBudget', 'errorBudget'],
    ['Organization', 'targetOus'],
    ['Targets[1].Values[3]', 'resourceGroups'],
    ['Document.Parameters.Operation[0]', 'operation'],
    ['Document.Parameters.InstallOverrideList[0]', 'installOverrideList'],
    ['MaxErrors', 'maxErrors'],
  ])('names the prop behind %s: %s', (payloadPath, prop) => {
    expect(propForPayloadPath(payloadPath)).toBe(prop);
  });

  it('matches whole path segments only, and leaves the rest to the task payload', () => {
    expect(propForPayloadPath('RegionsExtra')).toBe('taskPayload.RegionsExtra');
    expect(propForPayloadPath('TargetParameterName')).toBe('taskPayload.TargetParameterName');
    expect(propForPayloadPath('')).toBe('taskPayload');
  });
});

describe('taskPayloadFor', () => {
  const input = { targetOus: ['ou-ab12-prodprd1'], regions: ['us-east-1'], resourceGroups: ['WebServers'] };

  it("returns core's payload text and request", () => {
    const payload = taskPayloadFor(input);
    expect(JSON.parse(payload.text)).toMatchObject({ Regions: ['us-east-1'] });
    expect(payload.request.resourceGroups).toEqual(['WebServers']);
  });

  it('names the prop of the first problem and lists the others by prop', () => {
    let error: unknown;
    try {
      taskPayloadFor({ ...input, resourceGroups: [], excludeAccounts: ['12345'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrgPatchingConfigError);
    expect((error as OrgPatchingConfigError).field).toBe('resourceGroups');
    expect((error as OrgPatchingConfigError).message).toBe(
      'OrgPatching.resourceGroups: Values is empty (name at least one resource group, e.g. ["WebServers"]). Also excludeAccounts[0]: Account id "12345" has 5 digits, not 12 (an account id has 12 digits; if it starts with 0, write all 12 digits in quotes).',
    );
  });
});

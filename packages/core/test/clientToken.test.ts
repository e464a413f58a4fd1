import fc from 'fast-check';
import { NIL, v5 as uuidv5, validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { CLIENT_TOKEN_NAMESPACE, clientToken } from '../src/clientToken.js';
import { OrgPatchError } from '../src/errors.js';

const TASK = '3c7b1c2e-0f7d-4d7c-9a53-7a3b3c6f1e10';
// SSM's ClientToken constraint (StartAutomationExecution): fixed length 36 and this pattern.
const SSM_CLIENT_TOKEN = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;

describe('clientToken', () => {
  it('is a UUID v5 that SSM accepts as a ClientToken', () => {
    const token = clientToken(TASK, '111122223333', 'us-east-1', 'WebServers');
    expect(token).toHaveLength(36);
    expect(token).toMatch(SSM_CLIENT_TOKEN);
    expect(validate(token)).toBe(true);
    expect(version(token)).toBe(5);
  });

  it('derives the namespace as documented', () => {
    expect(uuidv5('orgpatch/client-token/v1', NIL)).toBe(CLIENT_TOKEN_NAMESPACE);
  });

  it('gives the same tokens as every earlier release, so a retry after an upgrade does not patch twice', () => {
    expect(clientToken(TASK, '111122223333', 'us-east-1', 'WebServers')).toBe('f38b237d-9817-51f8-bea5-63247f34e8dc');
    expect(clientToken(TASK, '111122223333', 'us-east-1')).toBe('0ba43fda-50c5-54f8-8574-dc2183cd1903');
  });

  it('is deterministic for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.stringMatching(/^\d{12}$/),
        fc.string({ minLength: 1 }),
        fc.option(fc.string(), { nil: undefined }),
        (key, account, region, group) => {
          expect(clientToken(key, account, region, group)).toBe(clientToken(key, account, region, group));
        },
      ),
    );
  });

  it('gives different tokens for different (key, account, Region, group)', () => {
    const input = fc.tuple(
      fc.constantFrom(TASK, 'run-1', 'run-1-', 'a"b'),
      fc.constantFrom('111122223333', '444455556666'),
      fc.constantFrom('us-east-1', 'us-east-2', 'eu-west-1'),
      fc.constantFrom(undefined, '', 'WebServers', 'DbServers'),
    );
    fc.assert(
      fc.property(input, input, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(clientToken(...a)).not.toBe(clientToken(...b));
      }),
    );
  });

  it('cannot be made to collide by moving text between fields', () => {
    expect(clientToken('a-b', '111122223333', 'us-east-1')).not.toBe(clientToken('a', '111122223333', 'b-us-east-1'));
    expect(clientToken(TASK, '111122223333', 'us-east-1', 'x')).not.toBe(
      clientToken(TASK, '111122223333', 'us-east-1x'),
    );
  });

  it('rejects an empty key, an account id that is not 12 digits, and an empty Region', () => {
    expect(() => clientToken('', '111122223333', 'us-east-1')).toThrow(OrgPatchError);
    expect(() => clientToken(TASK, '11112222333', 'us-east-1')).toThrow(/not 12 digits/);
    expect(() => clientToken(TASK, '111122223333', '')).toThrow(/Region for account 111122223333/);
  });
});

import { describe, expect, it } from 'vitest';
import { MESSAGE_VALUE_LIMIT, truncateForMessage } from '../src/truncateForMessage.js';

describe('truncateForMessage', () => {
  it('leaves a value of up to 80 characters as it is', () => {
    const value = 'x'.repeat(MESSAGE_VALUE_LIMIT);
    expect(truncateForMessage(value)).toBe(value);
  });

  it('cuts a longer value to its first 80 characters and says how long it was', () => {
    expect(truncateForMessage('x'.repeat(11_000_000))).toBe(`${'x'.repeat(80)}… (11000000 characters)`);
  });

  it('never splits a surrogate pair', () => {
    expect(truncateForMessage(`${'x'.repeat(79)}😀tail`)).toBe(`${'x'.repeat(79)}… (85 characters)`);
  });

  it('takes another limit', () => {
    expect(truncateForMessage('abcdef', 3)).toBe('abc… (6 characters)');
  });
});

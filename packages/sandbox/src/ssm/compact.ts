import { randomUUID } from 'node:crypto';

/**
 * Memory helpers for state kept per execution (benchmarks hold tens of thousands of executions).
 * V8 builds `randomUUID()` results and template literals as rope (cons) strings that can take
 * several hundred bytes; copying them through a Buffer yields a flat string of ~60 bytes.
 */

/** A new UUID v4 as a flat string. */
export function newId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

/** A flat copy of a string that will be kept. */
export function flat(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

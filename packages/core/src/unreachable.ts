import type { UnreachableReason } from './request.js';

/**
 * The payload's names for the reasons a location cannot be reached (`Organization.SkipUnreachable`)
 * and the plan's: `AccessDenied` (the execution role, or an SCP, refuses reading the target groups)
 * and `MemberStackMissing` (the execution role cannot be assumed: the member stacks are not deployed).
 */
const NAMES: Readonly<Record<UnreachableReason, string>> = {
  'access-denied': 'AccessDenied',
  'member-stack-missing': 'MemberStackMissing',
};

/** The values `Organization.SkipUnreachable` accepts. */
export const UNREACHABLE_REASONS: readonly string[] = Object.values(NAMES);

/** The plan's reason for a payload name (validated against {@link UNREACHABLE_REASONS} first). */
export function unreachableReasonOf(name: string): UnreachableReason {
  const found = (Object.keys(NAMES) as UnreachableReason[]).find((reason) => NAMES[reason] === name);
  if (found === undefined) throw new RangeError(`Unknown SkipUnreachable reason ${JSON.stringify(name)}`);
  return found;
}

/** The payload name of a plan reason. */
export function payloadNameOf(reason: UnreachableReason): string {
  return NAMES[reason];
}

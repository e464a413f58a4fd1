/**
 * How much of an input value a message may quote.
 *
 * A message or hint that echoes what was given goes to stderr, a Lambda log or a report, and an
 * input can be megabytes long (an 11 MB resource group name, a pasted file in a key). A person
 * needs the start of it to recognise it and its length to see what went wrong, not all of it.
 */

/** The characters of an input value a message quotes; longer values are cut by {@link truncateForMessage}. */
export const MESSAGE_VALUE_LIMIT = 80;

/**
 * `value` as a message may quote it: unchanged up to `limit` characters, else its first `limit`
 * characters followed by `… (N characters)`, N being its whole length. A cut never splits a
 * surrogate pair.
 * @example
 * truncateForMessage('a'.repeat(11_000_000)); // 80 a's, then '… (11000000 characters)'
 * const message = `Resource group name ${JSON.stringify(truncateForMessage(name))} is not valid`;
 */
export function truncateForMessage(value: string, limit: number = MESSAGE_VALUE_LIMIT): string {
  if (value.length <= limit) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(limit - 1)) ? limit - 1 : limit;
  return `${value.slice(0, end)}… (${value.length} characters)`;
}

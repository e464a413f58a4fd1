/**
 * The one character policy of every report (JSON, CSV, Markdown, HTML).
 *
 * Account names, group names, reasons and failure messages come from other accounts and from AWS,
 * so a report must not let them rearrange or hide what a reader sees. Bidirectional controls
 * reorder the text around them ("Trojan Source", CVE-2021-42574): a name holding U+202E can make
 * `failed` read as `deliaf`, or move another column's text into a name. Control characters hide
 * text (a lone carriage return lets a terminal overwrite a line; NUL or an escape sequence can end
 * or recolour it). Dropping such characters would hide that they were there; keeping them keeps
 * their effect. So each one is written as the six visible characters `\uXXXX` (upper-case hex),
 * which is also how JSON spells it, so the JSON report stays lossless.
 *
 * Left as they are: tab, line feed and CR LF, which only lay text out (the CSV renderer neutralises
 * a cell that starts with one, the Markdown renderer flattens line breaks).
 */

/**
 * What {@link displayText} rewrites:
 * - C0 controls other than tab (U+0009) and line feed (U+000A), and a carriage return (U+000D)
 *   that does not start a CR LF;
 * - DEL (U+007F) and the C1 controls (U+0080-U+009F);
 * - the bidirectional formatting characters: ALM (U+061C), LRM and RLM (U+200E, U+200F), the
 *   embeddings and overrides (U+202A-U+202E) and the isolates (U+2066-U+2069);
 * - lone surrogate halves, which no UTF-8 file can hold (a writer would turn them into U+FFFD).
 */
const HIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this matches, to show them.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\r(?!\n)|\p{Cs}/gu;

function escapeCodeUnit(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Text as every report shows it: each control, bidirectional or lone-surrogate character (see the
 * module comment for which and why) replaced by the visible text `\uXXXX`; everything else,
 * including tab and line breaks, unchanged.
 *
 * @example
 * displayText('prod\u202Eved'); // 'prod\\u202Eved': shown as prod\u202Eved, not reversed
 */
export function displayText(value: string): string {
  return value.replace(HIDDEN, escapeCodeUnit);
}

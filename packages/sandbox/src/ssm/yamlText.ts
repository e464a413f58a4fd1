import { isRecord } from './requestCheck.js';

/**
 * Renders a JSON value as YAML (block style), which is what GetDocument returns when a JSON
 * document is asked for with `DocumentFormat: YAML`. Strings are always quoted, so the output is
 * unambiguous YAML that any parser reads back to the same value.
 */
export function toYaml(value: unknown): string {
  return `${render(value, 0).replace(/^\n/, '')}\n`;
}

function render(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((item) => {
        const inner = render(item, indent + 2);
        if (isBlock(item)) return `\n${pad}-${inner.replace(/^\n\s*/, ' ')}`;
        return `\n${pad}-${inner}`;
      })
      .join('');
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return entries.map(([key, item]) => `\n${pad}${JSON.stringify(key)}:${render(item, indent + 2)}`).join('');
  }
  return ` ${JSON.stringify(value) ?? 'null'}`;
}

function isBlock(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || (isRecord(value) && Object.keys(value).length > 0);
}

import { describe, expect, it } from 'vitest';
import { displayText } from '../src/displayText.js';

describe('displayText', () => {
  it('writes each bidirectional control as visible \\uXXXX text', () => {
    const bidi = ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E'];
    const isolates = ['\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of [...bidi, ...isolates]) {
      const hex = c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      expect(displayText(`a${c}b`)).toBe(`a\\u${hex}b`);
    }
    expect(displayText('invoice\u202Eexe.pdf')).toBe('invoice\\u202Eexe.pdf');
  });

  it('writes C0 controls, DEL and C1 controls as visible \\uXXXX text', () => {
    expect(displayText('\u0000nul')).toBe('\\u0000nul');
    expect(displayText('\u001B[31mred\u0007')).toBe('\\u001B[31mred\\u0007');
    expect(displayText('back\bspace\fform\u000Bvt')).toBe('back\\u0008space\\u000Cform\\u000Bvt');
    expect(displayText('del\u007F')).toBe('del\\u007F');
    expect(displayText('\u0080c1\u0085\u009F')).toBe('\\u0080c1\\u0085\\u009F');
  });

  it('shows a carriage return that could overwrite a line, and keeps tab, LF and CR LF', () => {
    expect(displayText('failed\rsucceeded')).toBe('failed\\u000Dsucceeded');
    expect(displayText('trailing\r')).toBe('trailing\\u000D');
    expect(displayText('a\tb\nc\r\nd')).toBe('a\tb\nc\r\nd');
  });

  it('shows a lone surrogate half and keeps characters outside the policy, emoji and joiners included', () => {
    expect(displayText('x\uD800y')).toBe('x\\uD800y');
    expect(displayText('\uDC00')).toBe('\\uDC00');
    const kept = 'Ünïcödé 名前 اسم 👩‍💻 \u200D\u00A0';
    expect(displayText(kept)).toBe(kept);
  });
});

import { AwsServiceError } from '../contract.js';

/**
 * Checks a decoded request against the constraints of the SSM API model and reports every broken
 * constraint at once, in the words AWS's request validation uses ("1 validation error detected:
 * Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or
 * equal to 50"), as a `ValidationException`.
 */
export class RequestCheck {
  private readonly problems: string[] = [];

  constructor(private readonly input: Record<string, unknown>) {}

  /** A string member; `undefined` when absent. */
  string(
    member: string,
    rules: {
      required?: boolean;
      minLength?: number;
      maxLength?: number;
      pattern?: RegExp;
      enum?: readonly string[];
    } = {},
  ): string | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rules.required)
        this.problems.push(`Value null at '${camel(member)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.problems.push(
        `Value '${String(value)}' at '${camel(member)}' failed to satisfy constraint: Member must be a string`,
      );
      return undefined;
    }
    this.checkString(value, camel(member), rules);
    return value;
  }

  /** An integer member; `undefined` when absent. */
  integer(member: string, rules: { min?: number; max?: number } = {}): number | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.problems.push(
        `Value '${String(value)}' at '${camel(member)}' failed to satisfy constraint: Member must be an integer`,
      );
      return undefined;
    }
    if (rules.min !== undefined && value < rules.min) {
      this.problems.push(
        `Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value greater than or equal to ${rules.min}`,
      );
    }
    if (rules.max !== undefined && value > rules.max) {
      this.problems.push(
        `Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value less than or equal to ${rules.max}`,
      );
    }
    return value;
  }

  /** A boolean member; `undefined` when absent. */
  boolean(member: string): boolean | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.problems.push(
        `Value '${String(value)}' at '${camel(member)}' failed to satisfy constraint: Member must be a boolean`,
      );
      return undefined;
    }
    return value;
  }

  /** A list of strings; `undefined` when absent. */
  stringList(
    member: string,
    rules: { required?: boolean; minItems?: number; maxItems?: number; itemPattern?: RegExp } = {},
  ): string[] | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) {
      if (rules.required)
        this.problems.push(`Value null at '${camel(member)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
      this.problems.push(`Value at '${camel(member)}' failed to satisfy constraint: Member must be a list of strings`);
      return undefined;
    }
    this.checkCount(value.length, camel(member), rules.minItems, rules.maxItems);
    if (rules.itemPattern) {
      value.forEach((item, index) => {
        if (!rules.itemPattern?.test(item)) {
          this.problems.push(
            `Value '${item}' at '${camel(member)}.${index + 1}.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rules.itemPattern?.source}`,
          );
        }
      });
    }
    return value;
  }

  /** A list of objects; `undefined` when absent. Items are returned as records for further checks. */
  objectList(
    member: string,
    rules: { minItems?: number; maxItems?: number } = {},
  ): Record<string, unknown>[] | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every(isRecord)) {
      this.problems.push(
        `Value at '${camel(member)}' failed to satisfy constraint: Member must be a list of structures`,
      );
      return undefined;
    }
    this.checkCount(value.length, camel(member), rules.minItems, rules.maxItems);
    return value;
  }

  /** A map of string to list of strings (SSM's `Parameters`); `undefined` when absent. */
  stringListMap(
    member: string,
    rules: {
      minEntries?: number;
      maxEntries?: number;
      maxKeyLength?: number;
      maxItems?: number;
      maxValueLength?: number;
    } = {},
  ): Record<string, string[]> | undefined {
    const value = this.input[member];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.problems.push(`Value at '${camel(member)}' failed to satisfy constraint: Member must be a map`);
      return undefined;
    }
    const result: Record<string, string[]> = {};
    const entries = Object.entries(value);
    if (rules.minEntries !== undefined && entries.length < rules.minEntries) {
      this.problems.push(
        `Value '{}' at '${camel(member)}' failed to satisfy constraint: Member must have length greater than or equal to ${rules.minEntries}`,
      );
    }
    if (rules.maxEntries !== undefined && entries.length > rules.maxEntries) {
      this.problems.push(
        `Value at '${camel(member)}' failed to satisfy constraint: Member must have length less than or equal to ${rules.maxEntries}`,
      );
    }
    for (const [key, list] of entries) {
      if (key.length < 1 || (rules.maxKeyLength !== undefined && key.length > rules.maxKeyLength)) {
        this.problems.push(
          `Value '${key}' at '${camel(member)}' failed to satisfy constraint: Map keys must have length between 1 and ${rules.maxKeyLength ?? '∞'}`,
        );
      }
      if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) {
        this.problems.push(
          `Value at '${camel(member)}.${key}' failed to satisfy constraint: Member must be a list of strings`,
        );
        continue;
      }
      if (rules.maxItems !== undefined && list.length > rules.maxItems) {
        this.problems.push(
          `Value at '${camel(member)}.${key}' failed to satisfy constraint: Member must have length less than or equal to ${rules.maxItems}`,
        );
      }
      for (const item of list) {
        if (item.length < 1 || (rules.maxValueLength !== undefined && item.length > rules.maxValueLength)) {
          this.problems.push(
            `Value '${item}' at '${camel(member)}.${key}' failed to satisfy constraint: Member must have length between 1 and ${rules.maxValueLength ?? '∞'}`,
          );
        }
      }
      result[key] = list;
    }
    return result;
  }

  /** Records a problem found by a caller-specific rule. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Checks one string found inside a structure (e.g. a filter key), naming it by `path`. */
  checkNested(
    value: unknown,
    path: string,
    rules: { required?: boolean; minLength?: number; maxLength?: number } = {},
  ): string | undefined {
    if (value === undefined || value === null) {
      if (rules.required)
        this.problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.problems.push(`Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must be a string`);
      return undefined;
    }
    this.checkString(value, path, rules);
    return value;
  }

  /** Checks a list of strings found inside a structure, naming it by `path`. */
  checkNestedList(
    value: unknown,
    path: string,
    rules: { minItems?: number; maxItems?: number; maxLength?: number } = {},
  ): string[] {
    if (value === undefined || value === null) {
      this.problems.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
      return [];
    }
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
      this.problems.push(`Value at '${path}' failed to satisfy constraint: Member must be a list of strings`);
      return [];
    }
    this.checkCount(value.length, path, rules.minItems, rules.maxItems);
    if (rules.maxLength !== undefined) {
      for (const item of value) this.checkString(item, path, { minLength: 1, maxLength: rules.maxLength });
    }
    return value;
  }

  /** Throws the `ValidationException` if any constraint was broken. */
  done(): void {
    if (this.problems.length === 0) return;
    const count = this.problems.length;
    throw new AwsServiceError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }

  private checkString(
    value: string,
    path: string,
    rules: { minLength?: number; maxLength?: number; pattern?: RegExp; enum?: readonly string[] },
  ): void {
    if (rules.minLength !== undefined && value.length < rules.minLength) {
      this.problems.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${rules.minLength}`,
      );
    }
    if (rules.maxLength !== undefined && value.length > rules.maxLength) {
      this.problems.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${rules.maxLength}`,
      );
    }
    if (rules.pattern && !rules.pattern.test(value)) {
      this.problems.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rules.pattern.source}`,
      );
    }
    if (rules.enum && !rules.enum.includes(value)) {
      this.problems.push(
        `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${rules.enum.join(', ')}]`,
      );
    }
  }

  private checkCount(count: number, path: string, min: number | undefined, max: number | undefined): void {
    if (min !== undefined && count < min) {
      this.problems.push(
        `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
      );
    }
    if (max !== undefined && count > max) {
      this.problems.push(
        `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    }
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

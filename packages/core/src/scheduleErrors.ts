import { OrgPatchError } from './errors.js';

/** The parts of a schedule an error can point at: a cron field by its AWS name, or the whole expression. */
export type ScheduleField =
  | 'expression'
  | 'Seconds'
  | 'Minutes'
  | 'Hours'
  | 'Day-of-month'
  | 'Month'
  | 'Day-of-week'
  | 'Year'
  | 'rate value'
  | 'rate unit'
  | 'at timestamp'
  | 'ScheduleOffset'
  | 'count';

/**
 * A maintenance-window schedule expression is not valid. The message names the field that is wrong
 * and what to write instead; `hint` holds that advice alone (often a corrected expression).
 */
export class ScheduleError extends OrgPatchError {
  readonly expression: string;
  readonly field: ScheduleField;
  readonly hint?: string;
  constructor(expression: string, field: ScheduleField, problem: string, hint?: string, options?: ErrorOptions) {
    super(`Invalid schedule "${expression}": ${problem}${hint ? `; ${hint}` : ''}`, options);
    this.name = 'ScheduleError';
    this.expression = expression;
    this.field = field;
    if (hint !== undefined) this.hint = hint;
  }
}

/** A time zone is not one the IANA database (as the runtime knows it) holds. */
export class TimeZoneError extends OrgPatchError {
  readonly timeZone: string;
  readonly suggestion?: string;
  constructor(timeZone: string, message: string, suggestion?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TimeZoneError';
    this.timeZone = timeZone;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

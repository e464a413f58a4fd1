/** One problem found in an input: where (a JSON path such as `Document.Parameters.Operation[0]`), what, and what to do. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** Base class of every error orgpatch raises on purpose. */
export class OrgPatchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrgPatchError';
  }
}

/** A payload failed validation. `issues` holds every problem found, not only the first. */
export class PayloadValidationError extends OrgPatchError {
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], options?: ErrorOptions) {
    super(
      `The payload is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `- ${i.path || '(root)'}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`)
        .join('\n')}`,
      options,
    );
    this.name = 'PayloadValidationError';
    this.issues = issues;
  }
}

/** The field a rate value belongs to; SSM's patterns differ between the two. */
export type RateField = 'MaxConcurrency' | 'MaxErrors';

/**
 * A MaxConcurrency or MaxErrors value that SSM would reject.
 * `field` names which one, `value` is what was given, `hint` says how to write it.
 */
export class RateValueError extends OrgPatchError {
  readonly field: RateField;
  readonly value: string;
  readonly hint?: string;
  constructor(field: RateField, value: string, reason: string, hint?: string, options?: ErrorOptions) {
    super(
      `${field} ${JSON.stringify(value)} is not a rate value SSM accepts: ${reason}${hint ? ` (${hint})` : ''}`,
      options,
    );
    this.name = 'RateValueError';
    this.field = field;
    this.value = value;
    if (hint !== undefined) this.hint = hint;
  }
}

/**
 * A Region code orgpatch does not know (not a commercial Region of aws, aws-cn or aws-us-gov).
 * `path` is where it was found (e.g. `Regions[1]`), `suggestion` the closest known code.
 */
export class UnknownRegionError extends OrgPatchError {
  readonly region: string;
  readonly path: string;
  readonly suggestion?: string;
  constructor(region: string, path: string, suggestion?: string, options?: ErrorOptions) {
    super(
      `Unknown Region ${JSON.stringify(region)}${path ? ` at ${path}` : ''}: not a Region of the aws, aws-cn or aws-us-gov partitions${
        suggestion ? ` (did you mean "${suggestion}"?)` : ' (use a Region code such as "us-east-1")'
      }`,
      options,
    );
    this.name = 'UnknownRegionError';
    this.region = region;
    this.path = path;
    if (suggestion !== undefined) this.suggestion = suggestion;
  }
}

/**
 * A document orgpatch stored (a run record, a scope lease) failed validation when read back: it was
 * changed outside orgpatch, damaged, or written by an incompatible version. `source` is where it was
 * read (a file path or an s3:// URL); `issues` holds every problem, each with its JSON path.
 */
export class StoredDocumentError extends OrgPatchError {
  readonly kind: 'run record' | 'run lease' | 'compliance snapshot' | 'skip note';
  readonly source: string;
  readonly issues: readonly ValidationIssue[];
  constructor(
    kind: 'run record' | 'run lease' | 'compliance snapshot' | 'skip note',
    source: string,
    issues: readonly ValidationIssue[],
    options?: ErrorOptions,
  ) {
    super(
      `The ${kind} ${source} is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues
        .map((i) => `- ${i.path || '(root)'}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`)
        .join('\n')}`,
      options,
    );
    this.name = 'StoredDocumentError';
    this.kind = kind;
    this.source = source;
    this.issues = issues;
  }
}

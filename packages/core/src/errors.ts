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

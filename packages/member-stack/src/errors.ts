import { OrgPatchError } from '@orgpatch/core';

/** Synthesizing the member templates failed (a CDK error, or a validation plugin reported violations). */
export class MemberStackSynthesisError extends OrgPatchError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemberStackSynthesisError';
  }
}

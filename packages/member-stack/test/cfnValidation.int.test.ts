import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { describe, expect, it } from 'vitest';
import { createMemberApp, memberTemplates } from '../src/index.js';

describe("aws-cdk-lib's built-in CloudFormation validation", () => {
  it('passes on the global, Regional and management templates (validation on)', () => {
    const validated = memberTemplates({ validate: true });
    // Same templates as the fast path: validation only checks, it changes nothing.
    expect(validated).toEqual(memberTemplates());
    expect(validated).not.toBe(memberTemplates());
  }, 120_000);

  it('is really on with validate: true, even when CDK_VALIDATION=false: a bad resource fails synth', () => {
    const saved = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    try {
      const { app, regional, global } = createMemberApp({ validate: true });
      new CfnDocument(regional, 'NoSchemaVersion', { content: { mainSteps: [] }, documentType: 'Automation' });
      new CfnRole(global, 'TooShortSession', {
        assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
        maxSessionDuration: 60,
      });
      expect(() => app.synth()).toThrow(
        /schemaVersion[\s\S]*CloudFormation Validate|CloudFormation Validate[\s\S]*schemaVersion/,
      );
    } finally {
      if (saved === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = saved;
    }
  }, 120_000);

  it('is off by default, so the fast path does not pay for it', () => {
    const { app, regional } = createMemberApp();
    new CfnDocument(regional, 'NoSchemaVersion', { content: { mainSteps: [] }, documentType: 'Automation' });
    expect(() => app.synth()).not.toThrow();
  }, 60_000);
});

import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOMATION_DOCUMENT_TARGET_TYPE, orgPatchRunbookContent } from '../src/definitions.js';
import { type MemberTemplates, memberTemplates } from '../src/index.js';

let templates: MemberTemplates;
beforeAll(() => {
  templates = memberTemplates();
}, 60_000);

/** The Content of the orgpatch document in a synthesized template. */
function deployedContent(template: MemberTemplates[keyof MemberTemplates]): unknown {
  const documents = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Document');
  expect(documents).toHaveLength(1);
  expect(documents[0]?.Properties?.Name).toBe(AUTOMATION_DOCUMENT_NAME);
  return documents[0]?.Properties?.Content;
}

describe('OrgPatchAutomationDocument', () => {
  it('deploys exactly orgPatchRunbookContent in the Regional template', () => {
    expect(deployedContent(templates.regional)).toEqual(orgPatchRunbookContent);
  });

  it('deploys exactly orgPatchRunbookContent in the management template', () => {
    expect(deployedContent(templates.management)).toEqual(orgPatchRunbookContent);
  });

  it('declares TargetType /AWS::EC2::Instance, so a tag target resolves to EC2 instances only', () => {
    for (const template of [templates.regional, templates.management]) {
      const document = Object.values(template.Resources).find((r) => r.Type === 'AWS::SSM::Document');
      expect(document?.Properties?.TargetType).toBe('/AWS::EC2::Instance');
      expect(document?.Properties?.TargetType).toBe(AUTOMATION_DOCUMENT_TARGET_TYPE);
    }
  });
});

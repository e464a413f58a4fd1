import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { orgPatchRunbookContent } from '../src/definitions.js';
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
});

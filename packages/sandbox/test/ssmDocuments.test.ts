import { AUTOMATION_DOCUMENT_NAME } from '@orgpatch/core';
import { describe, expect, it } from 'vitest';
import { installMemberDocument, MemberDocumentInvalidError } from '../src/ssm/index.js';
import { awsError, type Body, harness } from './ssmHarness.js';
import { ACCOUNT, account, ctx, instance, memberDocumentContent, REGION, region, world } from './ssmWorld.js';

const automation = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    schemaVersion: '0.3',
    description: 'test runbook',
    parameters: { Message: { type: 'String', default: 'hi' }, Ids: { type: 'StringList' } },
    mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1M' } }],
    ...extra,
  });

function setup() {
  const home = region(REGION, [instance('i-0aaaaaaaaaaaaaaa1')]);
  return { home, ...harness(world([account(ACCOUNT, [home])])) };
}

describe('SSM documents', () => {
  it('creates an Automation document and describes and returns it', async () => {
    const { call } = setup();
    const created = await call('CreateDocument', {
      Name: 'My-Runbook',
      Content: automation(),
      DocumentType: 'Automation',
    });
    const description = created.DocumentDescription as Body;
    expect(description).toMatchObject({
      Name: 'My-Runbook',
      DocumentType: 'Automation',
      SchemaVersion: '0.3',
      DocumentVersion: '1',
      Status: 'Active',
      Owner: ACCOUNT,
      HashType: 'Sha256',
    });
    expect(description.Parameters).toEqual([
      { Name: 'Message', Type: 'String', Description: undefined, DefaultValue: 'hi' },
      { Name: 'Ids', Type: 'StringList', Description: undefined, DefaultValue: undefined },
    ]);
    const got = await call('GetDocument', { Name: 'My-Runbook' });
    expect(JSON.parse(got.Content as string)).toEqual(JSON.parse(automation()));
    expect(got.DocumentFormat).toBe('JSON');
    const yaml = await call('GetDocument', { Name: 'My-Runbook', DocumentFormat: 'YAML' });
    expect(yaml.Content).toContain('"schemaVersion": "0.3"');
    const described = await call('DescribeDocument', { Name: 'My-Runbook', DocumentVersion: '$LATEST' });
    expect((described.Document as Body).Hash).toBe(description.Hash);
  });

  it('refuses content SSM refuses, with its error codes', async () => {
    const { call } = setup();
    const create = (content: string, name = 'Bad-Doc') =>
      call('CreateDocument', { Name: name, Content: content, DocumentType: 'Automation' });
    expect(await awsError(create('{not json'), 'InvalidDocumentContent')).toMatch(/JSON not well-formed/);
    await awsError(create(automation({ schemaVersion: '2.2' })), 'InvalidDocumentSchemaVersion');
    await awsError(create(automation({ mainSteps: [] })), 'InvalidDocumentContent');
    expect(
      await awsError(
        create(automation({ mainSteps: [{ name: 's', action: 'aws:sleep', inputs: { Duration: '{{ Nope }}' } }] })),
        'InvalidDocumentContent',
      ),
    ).toBe('Parameter "Nope" is not declared.');
    await create(automation(), 'Good-Doc');
    await awsError(create(automation(), 'Good-Doc'), 'DocumentAlreadyExists');
    expect(await awsError(call('CreateDocument', { Name: 'x', Content: automation() }), 'ValidationException')).toMatch(
      /^1 validation error detected: Value 'x' at 'name' failed to satisfy constraint/,
    );
  });

  it('reports a missing document or version as InvalidDocument / InvalidDocumentVersion', async () => {
    const { call } = setup();
    await awsError(call('GetDocument', { Name: 'Nope-Doc' }), 'InvalidDocument');
    await awsError(
      call('DescribeDocument', { Name: AUTOMATION_DOCUMENT_NAME, DocumentVersion: '7' }),
      'InvalidDocumentVersion',
    );
    const doc = await call('DescribeDocument', { Name: AUTOMATION_DOCUMENT_NAME });
    expect((doc.Document as Body).DocumentVersion).toBe('1');
  });

  it('keeps documents per account and Region', async () => {
    const { call } = setup();
    await call('CreateDocument', { Name: 'Only-Here', Content: automation(), DocumentType: 'Automation' });
    await awsError(
      call('GetDocument', { Name: 'Only-Here' }, ctx('GetDocument', ACCOUNT, 'eu-west-1')),
      'UnrecognizedClientException',
    );
  });

  it('installs the member document once per content and versions a changed one', () => {
    const home = region(REGION, [], {}, { document: false });
    const content = memberDocumentContent();
    installMemberDocument(home, content, 1);
    installMemberDocument(home, content, 2);
    expect(home.documents.get(AUTOMATION_DOCUMENT_NAME)?.documentVersion).toBe('1');
    installMemberDocument(home, { ...content, description: 'changed' }, 3);
    expect(home.documents.get(AUTOMATION_DOCUMENT_NAME)).toMatchObject({ documentVersion: '2', createdDate: 3 });
    expect(() => installMemberDocument(home, { schemaVersion: '0.3', mainSteps: [] }, 4)).toThrow(
      MemberDocumentInvalidError,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, UnresolvableIntrinsicError } from '../src/cfn.js';

const ctx = {
  pseudo: { 'AWS::Partition': 'aws-cn', 'AWS::AccountId': '123456789012', 'AWS::Region': 'cn-north-1' },
  parameters: { OrganizationId: 'o-abcdefghij' },
  attributes: { 'Role.Arn': 'arn:aws-cn:iam::123456789012:role/R' },
};

describe('resolveIntrinsics', () => {
  it('resolves Ref of pseudo parameters and template parameters', () => {
    expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, ctx)).toBe('aws-cn');
    expect(resolveIntrinsics({ Ref: 'OrganizationId' }, ctx)).toBe('o-abcdefghij');
  });

  it('resolves Ref of a resource to its physical ID, template parameters first', () => {
    const withResources = { ...ctx, resources: { Window: 'mw-0123456789abcdef0', OrganizationId: 'shadowed' } };
    expect(resolveIntrinsics({ Ref: 'Window' }, withResources)).toBe('mw-0123456789abcdef0');
    expect(resolveIntrinsics({ Ref: 'OrganizationId' }, withResources)).toBe('o-abcdefghij');
    expect(() => resolveIntrinsics({ Ref: 'Window' }, ctx)).toThrow(/No value for Ref Window/);
  });

  it('joins Fn::Join parts after resolving each', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':x/*']] };
    expect(resolveIntrinsics(arn, ctx)).toBe('arn:aws-cn:ssm:*:123456789012:x/*');
  });

  it('substitutes Fn::Sub references in both forms, local variables first', () => {
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
    expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }, ctx)).toBe(
      'arn:aws-cn:iam::123456789012:root',
    );
    expect(
      resolveIntrinsics({ 'Fn::Sub': ['${Org}/${AWS::Region}/${Role.Arn}', { Org: { Ref: 'OrganizationId' } }] }, ctx),
    ).toBe('o-abcdefghij/cn-north-1/arn:aws-cn:iam::123456789012:role/R');
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of the Fn::Sub examples
  });

  it('resolves Fn::GetAtt from the given attributes', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Role', 'Arn'] }, ctx)).toBe('arn:aws-cn:iam::123456789012:role/R');
  });

  it('walks nested objects and arrays and leaves literals alone', () => {
    const input = { A: [1, 'x', { Ref: 'AWS::Region' }], B: { C: true, D: null } };
    expect(resolveIntrinsics(input, ctx)).toEqual({ A: [1, 'x', 'cn-north-1'], B: { C: true, D: null } });
  });

  it('refuses what it does not know rather than guessing', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, ctx)).toThrow(UnresolvableIntrinsicError);
    expect(() => resolveIntrinsics({ 'Fn::If': ['C', 'a', 'b'] }, ctx)).toThrow(/Fn::If is not supported/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Other', 'Arn'] }, ctx)).toThrow(/Other.Arn/);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveIntrinsics } from '@orgpatch/test-support/cfn';
import { Stack, Validations } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberApp } from '../src/index.js';
import type { MemberApp } from '../src/memberApp.js';
import { asArray } from './support/world.js';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly violatingConstructs: readonly { constructPath: string }[];
    }[];
  }[];
}

const outdir = mkdtempSync(join(tmpdir(), 'orgpatch-member-nag-'));
let member: MemberApp;
let assembly: CloudAssembly | undefined;
let synthError: unknown;
let report: ValidationReport;

beforeAll(() => {
  member = createMemberApp({ outdir });
  Validations.of(member.app).addPlugins(new AwsSolutionsChecks(member.app, { verbose: false }));
  try {
    assembly = member.app.synth();
  } catch (error) {
    synthError = error; // findings make synth throw; the report below says which
  }
  const file = join(outdir, 'validation-report.json');
  report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The acknowledgements recorded on constructs: construct -> (rule id -> reason). */
function acknowledgements(root: IConstruct): Map<IConstruct, Map<string, string>> {
  const out = new Map<IConstruct, Map<string, string>>();
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const rules = out.get(c) ?? new Map<string, string>();
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) rules.set(id, reason);
      out.set(c, rules);
    }
  }
  return out;
}

describe('cdk-nag AwsSolutionsChecks on the member stacks', () => {
  it('reports zero unacknowledged findings', () => {
    const findings = report.pluginReports.flatMap((p) =>
      p.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
    );
    expect(findings).toEqual([]);
    expect(synthError).toBeUndefined();
    expect(existsSync(join(outdir, 'validation-report.json'))).toBe(true);
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    const acks = acknowledgements(member.app);
    expect(acks.size).toBeGreaterThan(0);
    for (const [construct, rules] of acks) {
      for (const [id, reason] of rules) {
        expect(id, construct.node.path).toMatch(/^Annotation::AwsSolutions-IAM5\[Resource::.+\]$/);
        expect(reason.length, `${construct.node.path} ${id}`).toBeGreaterThanOrEqual(80);
      }
    }
  });

  it('acknowledges only wildcards the role really grants: no stale or blanket acknowledgement', () => {
    const nagForm = {
      pseudo: { 'AWS::Partition': '<AWS::Partition>', 'AWS::AccountId': '<AWS::AccountId>' },
      parameters: {},
    };
    for (const [construct, rules] of acknowledgements(member.app)) {
      const cfnRole = construct.node.defaultChild;
      expect(cfnRole, construct.node.path).toBeInstanceOf(CfnRole);
      const stack = Stack.of(construct);
      const logicalId = stack.resolve((cfnRole as CfnRole).logicalId) as string;
      const template = assembly?.getStackByName(stack.stackName).template as {
        Resources: Record<
          string,
          { Properties: { Policies: { PolicyDocument: { Statement: { Resource: unknown }[] } }[] } }
        >;
      };
      const policies = resolveIntrinsics(template.Resources[logicalId]?.Properties.Policies, nagForm) as {
        PolicyDocument: { Statement: { Resource: string | string[] }[] };
      }[];
      const granted = new Set(policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => asArray(s.Resource))));
      for (const id of rules.keys()) {
        const resource = /Resource::(.+)\]$/.exec(id)?.[1] ?? '';
        expect(granted.has(resource), `${construct.node.path}: ${id}`).toBe(true);
      }
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from './fixtures.js';

/** The one place in the suite where aws-cdk-lib's CloudFormation validation runs (and fails on errors). */
const VALIDATION_CONTEXT = { '@aws-cdk/core:validateAgainstDefaultRules': true };

interface Report {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly {
      readonly ruleName: string;
      readonly violatingConstructs?: readonly { constructPath: string }[];
    }[];
  }[];
}

/** Synthesizes with cdk-nag and the built-in validation; returns the report and whether synth threw. */
function synthWithChecks(app: App): { report: Report; threw: unknown } {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
  let threw: unknown;
  try {
    app.synth();
  } catch (error) {
    threw = error;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as Report;
  return { report, threw };
}

function findings(report: Report): string[] {
  return report.pluginReports.flatMap((p) =>
    p.violations.map(
      (v) => `${p.pluginName} ${v.ruleName} ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`,
    ),
  );
}

describe('cdk-nag AwsSolutions and CloudFormation validation', () => {
  let app: App;
  let result: { report: Report; threw: unknown };

  beforeAll(() => {
    // Every optional part on: the management account's resources, emails, waves, an offset, and an
    // opt-in Region (its own Regional StackSet).
    ({ app } = build(
      {
        regions: ['us-east-1', 'eu-west-1', 'af-south-1'],
        includeManagementAccount: true,
        notificationEmails: ['patching@example.com'],
        waves: [{ name: 'dev', targetOus: ['ou-ab12-devdev01'] }],
        scheduleOffset: 1,
      },
      { validate: true, context: VALIDATION_CONTEXT },
    ));
    result = synthWithChecks(app);
  }, 60_000);

  it('find nothing unacknowledged, and the CloudFormation schema checks pass', () => {
    expect(findings(result.report)).toEqual([]);
    expect(result.threw).toBeUndefined();
  });

  it('acknowledge only named findings, each with a reason a reviewer can check', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    const visit = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: c.node.path, id, reason });
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) {
      // A rule id with its finding (IAM5[...]), or a rule that has no finding part (S1). The
      // member-stack constructs acknowledge without the plugin prefix, which CDK files as Annotation.
      expect(a.id, a.path).toMatch(/^(AwsSolutions|Annotation)::AwsSolutions-(IAM5\[(Resource|Action)::.+\]|S1)$/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(80);
    }
    // Nothing here is acknowledged wholesale: no rule is silenced for a whole stack or the construct.
    expect(acknowledged.filter((a) => a.path === 'OrgPatch' || a.path === 'OrgPatch/OrgPatching')).toEqual([]);
  });

  it('are live: the same checks report a deliberately broken resource', () => {
    const { app: control, stack } = build({}, { validate: true, context: VALIDATION_CONTEXT });
    new CfnResource(Stack.of(stack), 'Broken', { type: 'AWS::SNS::Topic', properties: { NotAProperty: true } });
    const { report, threw } = synthWithChecks(control);
    expect(threw).toBeDefined();
    expect(findings(report).some((f) => f.includes('OrgPatch/Broken'))).toBe(true);
    expect(findings(report).some((f) => f.startsWith('AwsSolutions AwsSolutions-SNS'))).toBe(false);
  });
});

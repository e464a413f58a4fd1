import { type EvaluationResult, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { memberTemplates } from '@orgpatch/member-stack';
import { type IntrinsicContext, resolveIntrinsics } from '@orgpatch/test-support/cfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, logicalIdOf, ORG_ID, synth } from './fixtures.js';

// Policies as IAM sees them once deployed: the orchestrator role's in the management account
// (111111111111), the member execution role's trust in member account 222222222222.
const MEMBER = '222222222222';
const OTHER_ORG_ACCOUNT = '333333333333';
const OTHER_ORG_ID = 'o-otherorg123';
const ROLE_NAME = 'OrgPatch-OrchestratorRole1A2B3C';
const ORCHESTRATOR_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/orgpatch-run`;
const BUCKET = 'orgpatch-runrecords-bucket1234';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const WINDOW_ID = 'mw-0123456789abcdef0';
const WINDOW_ARN = `arn:aws:ssm:us-east-1:${ACCOUNT}:maintenancewindow/${WINDOW_ID}`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type Json = unknown;

let orchestratorPolicy: Json;
let executionRoleTrust: Json;
let bucketPolicy: Json;
let windowRoleTrust: Json;
let topicKeyPolicy: Json;

beforeAll(() => {
  const { stack, orgPatching, template } = synth();
  const pseudo = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'us-east-1' };
  const deployed: IntrinsicContext = {
    pseudo,
    resources: { [stack.resolve(stack.getLogicalId(orgPatching.maintenanceWindow.window)) as string]: WINDOW_ID },
    attributes: {
      [`${logicalIdOf(stack, orgPatching.runRecords.bucket)}.Arn`]: BUCKET_ARN,
      [`${logicalIdOf(stack, orgPatching.orchestrator.stepLogGroup)}.Arn`]: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:step:*`,
      [`${logicalIdOf(stack, orgPatching.orchestrator.role)}.Arn`]: ORCHESTRATOR_ROLE_ARN,
    },
  };
  const roleRef = JSON.stringify({ Ref: logicalIdOf(stack, orgPatching.orchestrator.role) });
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === roleRef),
  );
  orchestratorPolicy = resolveIntrinsics(policy?.Properties.PolicyDocument, deployed);
  const bucketRef = JSON.stringify({ Ref: logicalIdOf(stack, orgPatching.runRecords.bucket) });
  const bucketPolicyResource = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
    (p) => JSON.stringify(p.Properties.Bucket) === bucketRef,
  );
  bucketPolicy = resolveIntrinsics(bucketPolicyResource?.Properties.PolicyDocument, deployed);
  const roles = template.findResources('AWS::IAM::Role');
  windowRoleTrust = resolveIntrinsics(
    roles[logicalIdOf(stack, orgPatching.maintenanceWindow.serviceRole)]?.Properties.AssumeRolePolicyDocument,
    deployed,
  );
  topicKeyPolicy = resolveIntrinsics(
    template.findResources('AWS::KMS::Key')[logicalIdOf(stack, orgPatching.notifications.key)]?.Properties.KeyPolicy,
    deployed,
  );

  // The member execution role exactly as the global StackSet deploys it, parameters filled in.
  const global = memberTemplates().global;
  const executionRole = Object.values(global.Resources).find(
    (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === EXECUTION_ROLE_NAME,
  );
  executionRoleTrust = resolveIntrinsics(executionRole?.Properties?.AssumeRolePolicyDocument, {
    pseudo: { ...pseudo, 'AWS::AccountId': MEMBER },
    parameters: { OrchestratorRoleArn: ORCHESTRATOR_ROLE_ARN, OrganizationId: ORG_ID },
  });
}, 60_000);

async function decide(simulation: Simulation): Promise<EvaluationResult> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation input rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/** The orchestrator's session asks for `action` on `resource` in `accountId`. */
function orchestratorMay(
  action: string,
  resource: string,
  accountId: string,
  context: Record<string, string> = {},
  resourcePolicy?: Json,
): Promise<EvaluationResult> {
  return decide({
    request: {
      principal: SESSION,
      action,
      resource: { resource, accountId },
      contextVariables: { 'aws:PrincipalOrgID': ORG_ID, 'aws:PrincipalAccount': ACCOUNT, ...context },
    },
    identityPolicies: [{ name: 'OrchestratorPolicy', policy: orchestratorPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
  });
}

/** A trust policy that trusts the orchestrator role outright, as a careless role elsewhere might. */
const trustsOrchestrator = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: ORCHESTRATOR_ROLE_ARN }, Action: 'sts:AssumeRole' }],
};

describe('the orchestrator role, simulated', () => {
  it('may assume OrgPatchExecutionRole in an account of its Organization', async () => {
    const target = `arn:aws:iam::${MEMBER}:role/${EXECUTION_ROLE_NAME}`;
    expect(
      await orchestratorMay('sts:AssumeRole', target, MEMBER, { 'aws:ResourceOrgID': ORG_ID }, executionRoleTrust),
    ).toBe('Allowed');
  });

  it('may not assume a role named OrgPatchExecutionRole in another Organization, even one that trusts it', async () => {
    const target = `arn:aws:iam::${OTHER_ORG_ACCOUNT}:role/${EXECUTION_ROLE_NAME}`;
    expect(
      await orchestratorMay(
        'sts:AssumeRole',
        target,
        OTHER_ORG_ACCOUNT,
        { 'aws:ResourceOrgID': OTHER_ORG_ID },
        trustsOrchestrator,
      ),
    ).toBe('ImplicitlyDenied');
  });

  it('may not assume any other role in its Organization, even one that trusts it', async () => {
    for (const name of ['OrgPatchAutomationRole', 'OrganizationAccountAccessRole', 'Admin']) {
      const target = `arn:aws:iam::${MEMBER}:role/${name}`;
      expect(
        await orchestratorMay('sts:AssumeRole', target, MEMBER, { 'aws:ResourceOrgID': ORG_ID }, trustsOrchestrator),
        name,
      ).toBe('ImplicitlyDenied');
    }
  });

  it("may read, write, delete and abort uploads to the run store's keys (runs/, in-progress/, leases/) of its bucket, and nowhere else", async () => {
    for (const key of ['runs/run-1/record.json', 'in-progress/run-1', 'leases/o-exampleorg1']) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']) {
        expect(await orchestratorMay(action, `${BUCKET_ARN}/${key}`, ACCOUNT), `${action} ${key}`).toBe('Allowed');
      }
    }
    expect(await orchestratorMay('s3:PutObject', `${BUCKET_ARN}/elsewhere/x.json`, ACCOUNT)).toBe('ImplicitlyDenied');
    expect(await orchestratorMay('s3:AbortMultipartUpload', `${BUCKET_ARN}/elsewhere/x.json`, ACCOUNT)).toBe(
      'ImplicitlyDenied',
    );
    expect(
      await orchestratorMay('s3:PutObject', 'arn:aws:s3:::some-other-bucket/runs/run-1/record.json', ACCOUNT),
    ).toBe('ImplicitlyDenied');
    // Versions are history: the store never removes one.
    expect(await orchestratorMay('s3:DeleteObjectVersion', `${BUCKET_ARN}/runs/run-1/record.json`, ACCOUNT)).toBe(
      'ImplicitlyDenied',
    );
  });

  it('may list its Organization but not change it, and may not patch anything itself', async () => {
    expect(
      await orchestratorMay(
        'organizations:ListAccountsForParent',
        `arn:aws:organizations::${ACCOUNT}:ou/${ORG_ID}/ou-ab12-devdev01`,
        ACCOUNT,
      ),
    ).toBe('Allowed');
    expect(
      await orchestratorMay(
        'organizations:ListAccountsForParent',
        `arn:aws:organizations::999999999999:ou/${OTHER_ORG_ID}/ou-zz99-otherou1`,
        '999999999999',
      ),
    ).toBe('ImplicitlyDenied');
    expect(
      await orchestratorMay(
        'organizations:MoveAccount',
        `arn:aws:organizations::${ACCOUNT}:account/${ORG_ID}/${MEMBER}`,
        ACCOUNT,
      ),
    ).toBe('ImplicitlyDenied');
    expect(
      await orchestratorMay(
        'ssm:StartAutomationExecution',
        `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/OrgPatch-RunPatchBaseline:$DEFAULT`,
        ACCOUNT,
      ),
    ).toBe('ImplicitlyDenied');
  });
});

// The run-record bucket's policy, with the identity policies of the principals asking.
describe('the run-record bucket, simulated', () => {
  const ADMIN_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/PatchAdmin`;
  const allowEverything = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  };

  function mayInBucket(
    who: { session: string; roleArn: string; policy: Json },
    action: string,
    key: string,
    secureTransport = 'true',
  ): Promise<EvaluationResult> {
    return decide({
      request: {
        principal: who.session,
        action,
        resource: { resource: `${BUCKET_ARN}/${key}`, accountId: ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': who.roleArn,
          'aws:PrincipalAccount': ACCOUNT,
          'aws:SecureTransport': secureTransport,
        },
      },
      identityPolicies: [{ name: 'IdentityPolicy', policy: who.policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: bucketPolicy,
    });
  }
  const orchestrator = () => ({ session: SESSION, roleArn: ORCHESTRATOR_ROLE_ARN, policy: orchestratorPolicy });
  const admin = {
    session: `arn:aws:sts::${ACCOUNT}:assumed-role/PatchAdmin/alice`,
    roleArn: ADMIN_ROLE_ARN,
    policy: allowEverything,
  };

  it('lets the orchestrator role write and delete under runs/, in-progress/ and leases/', async () => {
    for (const key of ['runs/run-1/record.json', 'in-progress/run-1', 'leases/o-exampleorg1']) {
      expect(await mayInBucket(orchestrator(), 's3:PutObject', key), key).toBe('Allowed');
      expect(await mayInBucket(orchestrator(), 's3:DeleteObject', key), key).toBe('Allowed');
    }
  });

  it('refuses PutObject and deletes to any other principal of the account, even one allowed everything', async () => {
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
      for (const key of ['runs/run-1/record.json', 'in-progress/run-1', 'leases/o-exampleorg1', 'other/x']) {
        expect(await mayInBucket(admin, action, key), `${action} ${key}`).toBe('ExplicitlyDenied');
      }
    }
    // Reading stays with the identity policies: an administrator may still look at the records.
    expect(await mayInBucket(admin, 's3:GetObject', 'runs/run-1/record.json')).toBe('Allowed');
  });

  it('refuses the orchestrator too without TLS', async () => {
    expect(await mayInBucket(orchestrator(), 's3:PutObject', 'runs/run-1/record.json', 'false')).toBe(
      'ExplicitlyDenied',
    );
  });
});

describe('the maintenance window service role, simulated', () => {
  function ssmMayAssume(context: Record<string, string>): Promise<EvaluationResult> {
    return decide({
      request: {
        principal: 'ssm.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: {
          resource: `arn:aws:iam::${ACCOUNT}:role/OrgPatch-MaintenanceWindowServiceRole1A2B3C`,
          accountId: ACCOUNT,
        },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: windowRoleTrust,
    });
  }

  it("may be assumed by Systems Manager for this stack's window", async () => {
    expect(await ssmMayAssume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': WINDOW_ARN })).toBe('Allowed');
  });

  it('may not be assumed for another window, of this account or another, or with no source named', async () => {
    const otherWindow = `arn:aws:ssm:us-east-1:${ACCOUNT}:maintenancewindow/mw-0fedcba9876543210`;
    expect(await ssmMayAssume({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': otherWindow })).toBe('ImplicitlyDenied');
    const foreignWindow = `arn:aws:ssm:us-east-1:${OTHER_ORG_ACCOUNT}:maintenancewindow/${WINDOW_ID}`;
    expect(await ssmMayAssume({ 'aws:SourceAccount': OTHER_ORG_ACCOUNT, 'aws:SourceArn': foreignWindow })).toBe(
      'ImplicitlyDenied',
    );
    expect(await ssmMayAssume({ 'aws:SourceAccount': ACCOUNT })).toBe('ImplicitlyDenied');
  });
});

describe('the run-summary topic key, simulated', () => {
  function cloudWatchMay(action: string, context: Record<string, string>): Promise<EvaluationResult> {
    return decide({
      request: {
        principal: 'cloudwatch.amazonaws.com',
        action,
        resource: { resource: KEY_ARN, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: topicKeyPolicy,
    });
  }

  it("serves CloudWatch for this account's alarms", async () => {
    const context = {
      'aws:SourceAccount': ACCOUNT,
      'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:OrgPatch-TrackErrors`,
    };
    expect(await cloudWatchMay('kms:GenerateDataKey', context)).toBe('Allowed');
    expect(await cloudWatchMay('kms:Decrypt', context)).toBe('Allowed');
  });

  it("does not serve CloudWatch for another account's alarm, or with no source named", async () => {
    const foreign = {
      'aws:SourceAccount': OTHER_ORG_ACCOUNT,
      'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${OTHER_ORG_ACCOUNT}:alarm:anything`,
    };
    expect(await cloudWatchMay('kms:GenerateDataKey', foreign)).toBe('ImplicitlyDenied');
    expect(await cloudWatchMay('kms:Decrypt', foreign)).toBe('ImplicitlyDenied');
    expect(await cloudWatchMay('kms:GenerateDataKey', {})).toBe('ImplicitlyDenied');
  });
});

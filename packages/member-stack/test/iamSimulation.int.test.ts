import {
  anonymousPrincipal,
  type EvaluationResult,
  isWildcardOnlyAction,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
  type SimulationRequestPrincipal,
} from '@cloud-copilot/iam-simulate';
import { AUTOMATION_DOCUMENT_NAME, AUTOMATION_ROLE_NAME, EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { memberTemplates } from '../src/index.js';
import {
  asArray,
  MANAGEMENT_ACCOUNT,
  MEMBER_ACCOUNT,
  memberContext,
  ORCHESTRATOR_ROLE_ARN,
  ORG_ID,
  OTHER_ACCOUNT,
  OTHER_ORG_ID,
  REGION,
  type ResolvedRole,
  resolvedRole,
} from './support/world.js';

let executionRole: ResolvedRole;
let automationRole: ResolvedRole;
beforeAll(() => {
  // Policies as IAM sees them in member account 222222222222 once the global template is deployed.
  const { global } = memberTemplates();
  executionRole = resolvedRole(global, EXECUTION_ROLE_NAME, memberContext());
  automationRole = resolvedRole(global, AUTOMATION_ROLE_NAME, memberContext());
}, 60_000);

const EXECUTION_ROLE_ARN = `arn:aws:iam::${MEMBER_ACCOUNT}:role/${EXECUTION_ROLE_NAME}`;
const AUTOMATION_ROLE_ARN = `arn:aws:iam::${MEMBER_ACCOUNT}:role/${AUTOMATION_ROLE_NAME}`;
const ORCHESTRATOR_SESSION = `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/OrgPatchOrchestratorRole/orgpatch`;
const EXECUTION_SESSION = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${EXECUTION_ROLE_NAME}/orgpatch`;
const AUTOMATION_SESSION = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${AUTOMATION_ROLE_NAME}/automation`;
const EXECUTION_ID = '4105a4fc-f944-11e6-9d32-0123456789ab';
const ORGPATCH_DOCUMENT = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:document/${AUTOMATION_DOCUMENT_NAME}`;
const OWN_INSTANCE = `arn:aws:ec2:${REGION}:${MEMBER_ACCOUNT}:instance/i-0123456789abcdef0`;

const allowEverything = [
  {
    name: 'AdministratorAccess',
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  },
];
/** What infra grants the orchestrator role: assume the execution role in any account. */
const orchestratorIdentity = [
  {
    name: 'AssumeMemberExecutionRoles',
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::*:role/${EXECUTION_ROLE_NAME}` },
      ],
    },
  },
];

function identity(role: ResolvedRole): Simulation['identityPolicies'] {
  return role.inlinePolicies.map((p) => ({ name: p.name, policy: p.policy }));
}

/** Runs a validated simulation; an input iam-simulate rejects (unknown action, malformed ARN) fails the test. */
async function decide(simulation: Simulation): Promise<EvaluationResult> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation input rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

function request(
  principal: SimulationRequestPrincipal,
  action: string,
  resource: string,
  accountId: string,
  contextVariables: Record<string, string | string[]> = {},
): Simulation['request'] {
  return { principal, action, resource: { resource, accountId }, contextVariables };
}

async function assumeExecutionRole(
  principal: SimulationRequestPrincipal,
  context: Record<string, string>,
  identityPolicies: Simulation['identityPolicies'],
): Promise<EvaluationResult> {
  return decide({
    request: request(principal, 'sts:AssumeRole', EXECUTION_ROLE_ARN, MEMBER_ACCOUNT, context),
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: executionRole.trustPolicy,
  });
}

async function assumeAutomationRole(principal: SimulationRequestPrincipal, context: Record<string, string>) {
  return decide({
    request: request(principal, 'sts:AssumeRole', AUTOMATION_ROLE_ARN, MEMBER_ACCOUNT, context),
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: automationRole.trustPolicy,
  });
}

async function roleMay(
  role: ResolvedRole,
  action: string,
  resource: string,
  context: Record<string, string> = {},
  accountId = MEMBER_ACCOUNT,
): Promise<EvaluationResult> {
  const principal = role === executionRole ? EXECUTION_SESSION : AUTOMATION_SESSION;
  return decide({
    request: request(principal, action, resource, accountId, context),
    identityPolicies: identity(role),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  });
}

/**
 * AWS-owned documents have no account in their ARN (arn:aws:ssm:region::document/AWS-...), which
 * iam-simulate's input validation refuses; these few requests skip validation, nothing else does.
 */
function roleMayUseAwsDocument(role: ResolvedRole, action: string, documentName: string): EvaluationResult {
  const principal = role === executionRole ? EXECUTION_SESSION : AUTOMATION_SESSION;
  return runUnsafeSimulation(
    {
      request: request(principal, action, `arn:aws:ssm:${REGION}::document/${documentName}`, MEMBER_ACCOUNT),
      identityPolicies: identity(role),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
}

describe('who may assume OrgPatchExecutionRole', () => {
  it('the orchestrator role of the same Organization may', async () => {
    expect(
      await assumeExecutionRole(ORCHESTRATOR_SESSION, { 'aws:PrincipalOrgID': ORG_ID }, orchestratorIdentity),
    ).toBe('Allowed');
    expect(
      await assumeExecutionRole(ORCHESTRATOR_ROLE_ARN, { 'aws:PrincipalOrgID': ORG_ID }, orchestratorIdentity),
    ).toBe('Allowed');
  });

  it('the orchestrator role may not when its account is not in the Organization', async () => {
    expect(
      await assumeExecutionRole(ORCHESTRATOR_SESSION, { 'aws:PrincipalOrgID': OTHER_ORG_ID }, orchestratorIdentity),
    ).not.toBe('Allowed');
    expect(await assumeExecutionRole(ORCHESTRATOR_SESSION, {}, orchestratorIdentity)).not.toBe('Allowed');
  });

  it('a role of another Organization may not, even one with the same name and full permissions', async () => {
    const impostor = `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/OrgPatchOrchestratorRole/orgpatch`;
    expect(await assumeExecutionRole(impostor, { 'aws:PrincipalOrgID': OTHER_ORG_ID }, allowEverything)).not.toBe(
      'Allowed',
    );
  });

  it('another principal of the management account may not, administrator or root', async () => {
    const admin = `arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/Administrator/alice`;
    expect(await assumeExecutionRole(admin, { 'aws:PrincipalOrgID': ORG_ID }, allowEverything)).not.toBe('Allowed');
    const root = `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root`;
    expect(await assumeExecutionRole(root, { 'aws:PrincipalOrgID': ORG_ID }, allowEverything)).not.toBe('Allowed');
  });

  it('a principal of the member account itself may not (the trust names no account)', async () => {
    const local = `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/Administrator/bob`;
    expect(await assumeExecutionRole(local, { 'aws:PrincipalOrgID': ORG_ID }, allowEverything)).not.toBe('Allowed');
  });

  it('an anonymous principal may not', async () => {
    expect(await assumeExecutionRole(anonymousPrincipal, {}, [])).not.toBe('Allowed');
  });
});

describe('what OrgPatchExecutionRole may do', () => {
  it('may start the orgpatch document, in any Region of its account, at any version', async () => {
    expect(await roleMay(executionRole, 'ssm:StartAutomationExecution', ORGPATCH_DOCUMENT)).toBe('Allowed');
    const otherRegion = `arn:aws:ssm:ap-southeast-2:${MEMBER_ACCOUNT}:document/${AUTOMATION_DOCUMENT_NAME}`;
    expect(await roleMay(executionRole, 'ssm:StartAutomationExecution', otherRegion)).toBe('Allowed');
    const definition = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:automation-definition/${AUTOMATION_DOCUMENT_NAME}:3`;
    expect(await roleMay(executionRole, 'ssm:StartAutomationExecution', definition)).toBe('Allowed');
  });

  it('may not start any other document: its own account, AWS-owned, or orgpatch in another account', async () => {
    const other = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:document/Custom-RunAnything`;
    expect(await roleMay(executionRole, 'ssm:StartAutomationExecution', other)).not.toBe('Allowed');
    expect(roleMayUseAwsDocument(executionRole, 'ssm:StartAutomationExecution', 'AWS-RunShellScript')).not.toBe(
      'Allowed',
    );
    expect(roleMayUseAwsDocument(executionRole, 'ssm:StartAutomationExecution', 'AWSSupport-ResetAccess')).not.toBe(
      'Allowed',
    );
    const elsewhere = `arn:aws:ssm:${REGION}:${OTHER_ACCOUNT}:document/${AUTOMATION_DOCUMENT_NAME}`;
    expect(await roleMay(executionRole, 'ssm:StartAutomationExecution', elsewhere, {}, OTHER_ACCOUNT)).not.toBe(
      'Allowed',
    );
  });

  it('may not run arbitrary commands: no SendCommand on any document or node', async () => {
    expect(roleMayUseAwsDocument(executionRole, 'ssm:SendCommand', 'AWS-RunShellScript')).not.toBe('Allowed');
    expect(roleMayUseAwsDocument(executionRole, 'ssm:SendCommand', 'AWS-RunPatchBaseline')).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ssm:SendCommand', OWN_INSTANCE)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ssm:StartSession', OWN_INSTANCE)).not.toBe('Allowed');
  });

  it('may pass only OrgPatchAutomationRole, and only to Systems Manager', async () => {
    const toSsm = { 'iam:PassedToService': 'ssm.amazonaws.com' };
    expect(await roleMay(executionRole, 'iam:PassRole', AUTOMATION_ROLE_ARN, toSsm)).toBe('Allowed');
    expect(
      await roleMay(executionRole, 'iam:PassRole', AUTOMATION_ROLE_ARN, { 'iam:PassedToService': 'ec2.amazonaws.com' }),
    ).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'iam:PassRole', EXECUTION_ROLE_ARN, toSsm)).not.toBe('Allowed');
    const admin = `arn:aws:iam::${MEMBER_ACCOUNT}:role/Administrator`;
    expect(await roleMay(executionRole, 'iam:PassRole', admin, toSsm)).not.toBe('Allowed');
  });

  it('may follow and stop executions, read groups and list managed nodes (tag targets) of its own account only', async () => {
    const execution = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:automation-execution/${EXECUTION_ID}`;
    for (const action of [
      'ssm:GetAutomationExecution',
      'ssm:StopAutomationExecution',
      'ssm:DescribeAutomationStepExecutions',
    ]) {
      expect(await roleMay(executionRole, action, execution), action).toBe('Allowed');
    }
    const group = `arn:aws:resource-groups:${REGION}:${MEMBER_ACCOUNT}:group/WebServers`;
    expect(await roleMay(executionRole, 'resource-groups:ListGroupResources', group)).toBe('Allowed');
    // A tag target's inventory: DescribeInstanceInformation has no resource type, so "*".
    expect(await roleMay(executionRole, 'ssm:DescribeInstanceInformation', '*')).toBe('Allowed');
    const foreignGroup = `arn:aws:resource-groups:${REGION}:${OTHER_ACCOUNT}:group/WebServers`;
    expect(
      await roleMay(executionRole, 'resource-groups:ListGroupResources', foreignGroup, {}, OTHER_ACCOUNT),
    ).not.toBe('Allowed');
  });

  it('may read the orgpatch document and the automation role, and no other (orgpatch doctor)', async () => {
    expect(await roleMay(executionRole, 'ssm:GetDocument', ORGPATCH_DOCUMENT)).toBe('Allowed');
    const otherRegion = `arn:aws:ssm:ap-southeast-2:${MEMBER_ACCOUNT}:document/${AUTOMATION_DOCUMENT_NAME}`;
    expect(await roleMay(executionRole, 'ssm:GetDocument', otherRegion)).toBe('Allowed');
    const other = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:document/Custom-RunAnything`;
    expect(await roleMay(executionRole, 'ssm:GetDocument', other)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ssm:DescribeDocument', ORGPATCH_DOCUMENT)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'iam:GetRole', AUTOMATION_ROLE_ARN)).toBe('Allowed');
    expect(await roleMay(executionRole, 'iam:GetRole', EXECUTION_ROLE_ARN)).not.toBe('Allowed');
    const admin = `arn:aws:iam::${MEMBER_ACCOUNT}:role/Administrator`;
    expect(await roleMay(executionRole, 'iam:GetRole', admin)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'iam:ListRoles', '*')).not.toBe('Allowed');
  });

  it('may not change documents, roles or instances', async () => {
    expect(await roleMay(executionRole, 'ssm:UpdateDocument', ORGPATCH_DOCUMENT)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ssm:DeleteDocument', ORGPATCH_DOCUMENT)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'iam:PutRolePolicy', AUTOMATION_ROLE_ARN)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ec2:TerminateInstances', OWN_INSTANCE)).not.toBe('Allowed');
  });
});

describe('who may assume OrgPatchAutomationRole', () => {
  const ownExecution = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:automation-execution/${EXECUTION_ID}`;

  it('Systems Manager may, for an automation execution of the same account', async () => {
    expect(
      await assumeAutomationRole('ssm.amazonaws.com', {
        'aws:SourceAccount': MEMBER_ACCOUNT,
        'aws:SourceArn': ownExecution,
      }),
    ).toBe('Allowed');
  });

  it('Systems Manager may not on behalf of another account', async () => {
    const foreign = `arn:aws:ssm:${REGION}:${OTHER_ACCOUNT}:automation-execution/${EXECUTION_ID}`;
    expect(
      await assumeAutomationRole('ssm.amazonaws.com', { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': foreign }),
    ).not.toBe('Allowed');
    expect(
      await assumeAutomationRole('ssm.amazonaws.com', {
        'aws:SourceAccount': MEMBER_ACCOUNT,
        'aws:SourceArn': foreign,
      }),
    ).not.toBe('Allowed');
    expect(await assumeAutomationRole('ssm.amazonaws.com', {})).not.toBe('Allowed');
  });

  it('Systems Manager may not for anything but an automation execution', async () => {
    const association = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:association/0123456789abcdef`;
    expect(
      await assumeAutomationRole('ssm.amazonaws.com', {
        'aws:SourceAccount': MEMBER_ACCOUNT,
        'aws:SourceArn': association,
      }),
    ).not.toBe('Allowed');
  });

  it('no other service, person or anonymous caller may', async () => {
    const context = { 'aws:SourceAccount': MEMBER_ACCOUNT, 'aws:SourceArn': ownExecution };
    expect(await assumeAutomationRole('ec2.amazonaws.com', context)).not.toBe('Allowed');
    expect(await assumeAutomationRole(`arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/Administrator/bob`, {})).not.toBe(
      'Allowed',
    );
    expect(await assumeAutomationRole(ORCHESTRATOR_SESSION, { 'aws:PrincipalOrgID': ORG_ID })).not.toBe('Allowed');
    expect(await assumeAutomationRole(anonymousPrincipal, {})).not.toBe('Allowed');
  });
});

describe('what OrgPatchAutomationRole may do', () => {
  it('may send AWS-RunPatchBaseline to its own account nodes and no other command document', async () => {
    expect(roleMayUseAwsDocument(automationRole, 'ssm:SendCommand', 'AWS-RunPatchBaseline')).toBe('Allowed');
    expect(await roleMay(automationRole, 'ssm:SendCommand', OWN_INSTANCE)).toBe('Allowed');
    const hybrid = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:managed-instance/mi-0123456789abcdef0`;
    expect(await roleMay(automationRole, 'ssm:SendCommand', hybrid)).toBe('Allowed');
    expect(roleMayUseAwsDocument(automationRole, 'ssm:SendCommand', 'AWS-RunShellScript')).not.toBe('Allowed');
    expect(roleMayUseAwsDocument(automationRole, 'ssm:SendCommand', 'AWS-RunPowerShellScript')).not.toBe('Allowed');
    const ownDocument = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:document/Custom-Command`;
    expect(await roleMay(automationRole, 'ssm:SendCommand', ownDocument)).not.toBe('Allowed');
    const foreignInstance = `arn:aws:ec2:${REGION}:${OTHER_ACCOUNT}:instance/i-0123456789abcdef0`;
    expect(await roleMay(automationRole, 'ssm:SendCommand', foreignInstance, {}, OTHER_ACCOUNT)).not.toBe('Allowed');
  });

  it('may start child executions of the orgpatch document only, passing only itself', async () => {
    expect(await roleMay(automationRole, 'ssm:StartAutomationExecution', ORGPATCH_DOCUMENT)).toBe('Allowed');
    const other = `arn:aws:ssm:${REGION}:${MEMBER_ACCOUNT}:document/Custom-RunAnything`;
    expect(await roleMay(automationRole, 'ssm:StartAutomationExecution', other)).not.toBe('Allowed');
    const toSsm = { 'iam:PassedToService': 'ssm.amazonaws.com' };
    expect(await roleMay(automationRole, 'iam:PassRole', AUTOMATION_ROLE_ARN, toSsm)).toBe('Allowed');
    expect(await roleMay(automationRole, 'iam:PassRole', EXECUTION_ROLE_ARN, toSsm)).not.toBe('Allowed');
  });
});

describe('what OrgPatchExecutionRole may do with snapshots', () => {
  const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
  const deleteSnapshot = (context: Record<string, string>): EvaluationResult =>
    runUnsafeSimulation(
      {
        request: request(EXECUTION_SESSION, 'ec2:DeleteSnapshot', SNAPSHOT, MEMBER_ACCOUNT, context),
        identityPolicies: identity(executionRole),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );

  it('may delete a snapshot only when it carries the orgpatch run tag, and may list snapshots', async () => {
    expect(deleteSnapshot({ 'aws:ResourceTag/orgpatch:run-id': 'mw-run' })).toBe('Allowed');
    expect(deleteSnapshot({})).not.toBe('Allowed');
    expect(deleteSnapshot({ 'aws:ResourceTag/Name': 'backup' })).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ec2:DescribeSnapshots', '*')).toBe('Allowed');
  });

  it('may not create, copy or share snapshots', async () => {
    const ownVolume = `arn:aws:ec2:${REGION}:${MEMBER_ACCOUNT}:volume/vol-0123456789abcdef0`;
    expect(await roleMay(executionRole, 'ec2:CreateSnapshots', OWN_INSTANCE)).not.toBe('Allowed');
    expect(await roleMay(executionRole, 'ec2:CreateSnapshot', ownVolume)).not.toBe('Allowed');
    const tagged = { 'aws:ResourceTag/orgpatch:run-id': 'mw-run' };
    for (const action of ['ec2:ModifySnapshotAttribute', 'ec2:CopySnapshot']) {
      const result = runUnsafeSimulation(
        {
          request: request(EXECUTION_SESSION, action, SNAPSHOT, MEMBER_ACCOUNT, tagged),
          identityPolicies: identity(executionRole),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      expect(result, action).not.toBe('Allowed');
    }
  });
});

describe('what OrgPatchAutomationRole may do with snapshots', () => {
  const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
  const OWN_VOLUME = `arn:aws:ec2:${REGION}:${MEMBER_ACCOUNT}:volume/vol-0123456789abcdef0`;
  /** Snapshot ARNs have no account, which iam-simulate's validation refuses (as for AWS-owned documents). */
  const onSnapshot = (action: string, context: Record<string, string>): EvaluationResult =>
    runUnsafeSimulation(
      {
        request: request(AUTOMATION_SESSION, action, SNAPSHOT, MEMBER_ACCOUNT, context),
        identityPolicies: identity(automationRole),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
  const tagged = { 'aws:RequestTag/orgpatch:run-id': 'mw-run', 'aws:TagKeys': 'orgpatch:run-id' };

  it('may CreateSnapshots of its own instances and volumes, creating only snapshots tagged with the run', async () => {
    expect(await roleMay(automationRole, 'ec2:CreateSnapshots', OWN_INSTANCE)).toBe('Allowed');
    expect(await roleMay(automationRole, 'ec2:CreateSnapshots', OWN_VOLUME)).toBe('Allowed');
    expect(onSnapshot('ec2:CreateSnapshots', tagged)).toBe('Allowed');
    expect(onSnapshot('ec2:CreateSnapshots', {})).not.toBe('Allowed');
    const foreignInstance = `arn:aws:ec2:${REGION}:${OTHER_ACCOUNT}:instance/i-0123456789abcdef0`;
    expect(await roleMay(automationRole, 'ec2:CreateSnapshots', foreignInstance, {}, OTHER_ACCOUNT)).not.toBe(
      'Allowed',
    );
  });

  it('may tag snapshots only while CreateSnapshots creates them, and may neither delete nor share them', async () => {
    expect(onSnapshot('ec2:CreateTags', { 'ec2:CreateAction': 'CreateSnapshots' })).toBe('Allowed');
    expect(onSnapshot('ec2:CreateTags', {})).not.toBe('Allowed');
    expect(onSnapshot('ec2:DeleteSnapshot', tagged)).not.toBe('Allowed');
    expect(onSnapshot('ec2:ModifySnapshotAttribute', {})).not.toBe('Allowed');
    expect(await roleMay(automationRole, 'ec2:DescribeSnapshots', '*')).toBe('Allowed');
    expect(await roleMay(automationRole, 'ec2:CreateSnapshot', OWN_VOLUME)).not.toBe('Allowed');
  });
});

describe('every grant of both roles', () => {
  it('is well-formed for the Service Authorization Reference: "*" exactly where the action has no resource type', async () => {
    for (const role of [executionRole, automationRole]) {
      for (const statement of role.inlinePolicies.flatMap((p) => p.policy.Statement)) {
        const context = {
          'iam:PassedToService': 'ssm.amazonaws.com',
          'aws:RequestTag/orgpatch:run-id': 'mw-run',
          'ec2:CreateAction': 'CreateSnapshots',
          'aws:ResourceTag/orgpatch:run-id': 'mw-run',
        };
        for (const action of asArray(statement.Action)) {
          const [service = '', name = ''] = action.split(':');
          const wildcardOnly = await isWildcardOnlyAction(service, name);
          for (const resource of asArray(statement.Resource)) {
            const where = `${role.roleName} ${action} ${resource}`;
            expect(resource === '*', where).toBe(wildcardOnly);
            if (resource.startsWith('arn:aws:ssm:*::document/')) continue; // AWS-owned: covered above
            if (resource.startsWith('arn:aws:ec2:*::snapshot/')) continue; // no account: covered above
            // A concrete instance of the granted pattern must be valid for the action and allowed.
            const sample =
              resource === '*' ? '*' : resource.replace(/^(arn:[^:]+:[^:]+:)\*/, `$1${REGION}`).replaceAll('*', 'x1');
            expect(await roleMay(role, action, sample, context), where).toBe('Allowed');
          }
        }
      }
    }
  });
});

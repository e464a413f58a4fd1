import { randomUUID } from 'node:crypto';
import { DescribeOrganizationCommand, OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { paginateListGroupResources, ResourceGroupsClient } from '@aws-sdk/client-resource-groups';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { arnPrefix, type PatchRequest, partitionOf } from '@orgpatch/core';
import { automationParameters } from '@orgpatch/orchestrator';

/** What the serial baseline did. */
export interface BaselineOutcome {
  /** Accounts walked. */
  readonly accounts: number;
  /** Accounts it would walk without a limit. */
  readonly eligibleAccounts: number;
  readonly locations: number;
  readonly started: number;
  readonly assumeRoleFailures: number;
  readonly wallMs: number;
}

/**
 * The AWS Security Blog's algorithm stretched over an Organization, as a reference point: one
 * account after the other, one Region after the other, the role assumed again for every Region,
 * then ListGroupResources for each target group (every page) and StartAutomationExecution for each
 * group that holds instances; every call awaited before the next. Real SDK v3 clients with their
 * default settings (standard retry, 3 attempts), configured the standard way: endpoint and keys
 * from the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), member credentials from STS.
 *
 * It patches the same accounts orgpatch would: the ACTIVE accounts of the Organization other than
 * the management account (the payload leaves IncludeManagementAccount false).
 */
export async function runSerialBaseline(
  request: PatchRequest,
  options: { readonly homeRegion: string; readonly accountLimit?: number },
): Promise<BaselineOutcome> {
  const began = performance.now();
  const roleName = request.organization?.executionRoleName ?? 'OrgPatchExecutionRole';
  const organizations = new OrganizationsClient({ region: 'us-east-1' });
  const sts = new STSClient({ region: options.homeRegion });
  const management = (await organizations.send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId;
  const accounts: string[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {})) {
    for (const account of page.Accounts ?? []) {
      if (account.Id && account.Id !== management && (account.State ?? account.Status) === 'ACTIVE') {
        accounts.push(account.Id);
      }
    }
  }
  const todo = accounts.slice(0, options.accountLimit ?? accounts.length);
  // One SnapshotId for the run, as the blog's Lambda sends one per invocation.
  const snapshotId = randomUUID();
  let locations = 0;
  let started = 0;
  let assumeRoleFailures = 0;
  for (const accountId of todo) {
    for (const region of request.regions) {
      locations += 1;
      const partition = partitionOf(region);
      let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
      try {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: `${arnPrefix(partition)}:iam::${accountId}:role/${roleName}`,
            RoleSessionName: 'blog-baseline',
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole answered without credentials');
        credentials = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        };
      } catch {
        assumeRoleFailures += 1;
        continue;
      }
      const groups = new ResourceGroupsClient({ region, credentials });
      const withInstances: string[] = [];
      for (const group of request.resourceGroups) {
        let members = 0;
        try {
          for await (const page of paginateListGroupResources({ client: groups }, { Group: group })) {
            members += page.Resources?.length ?? page.ResourceIdentifiers?.length ?? 0;
          }
        } catch {
          // A missing group or a Region the account has not enabled: nothing to patch there.
          continue;
        }
        if (members > 0) withInstances.push(group);
      }
      if (withInstances.length === 0) continue;
      const ssm = new SSMClient({ region, credentials });
      for (const group of withInstances) {
        try {
          await ssm.send(
            new StartAutomationExecutionCommand({
              DocumentName: request.document.name,
              ...(request.document.version ? { DocumentVersion: request.document.version } : {}),
              Parameters: Object.fromEntries(
                Object.entries(automationParameters(request, accountId, partition, snapshotId)).map(([k, v]) => [
                  k,
                  [...v],
                ]),
              ),
              TargetParameterName: request.targetParameterName,
              Targets: [{ Key: 'ResourceGroup', Values: [group] }],
              MaxConcurrency: request.maxConcurrency.raw,
              MaxErrors: request.maxErrors.raw,
            }),
          );
          started += 1;
        } catch {
          // The blog's Lambda logs and moves on.
        }
      }
    }
  }
  return {
    accounts: todo.length,
    eligibleAccounts: accounts.length,
    locations,
    started,
    assumeRoleFailures,
    wallMs: performance.now() - began,
  };
}

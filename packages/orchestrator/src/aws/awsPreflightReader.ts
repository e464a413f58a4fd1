import { createHash } from 'node:crypto';
import { GetDocumentCommand, paginateDescribeInstanceInformation } from '@aws-sdk/client-ssm';
import type {
  DocumentObservation,
  InventoryErrorKind,
  Location,
  NodesObservation,
  PreflightReader,
  RoleObservation,
} from '@orgpatch/core';
import { canonicalJson, globalRegionOf, partitionOf } from '@orgpatch/core';
import { AssumeRoleError } from '../errors.js';
import { withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import { awsErrorCode, awsErrorMessage, inventoryErrorKind } from './awsErrors.js';
import type { AwsClientFactory } from './clients.js';

/** Options of {@link AwsPreflightReader}. */
export interface AwsPreflightReaderOptions {
  readonly clients: AwsClientFactory;
  /** The same credentials the run's inventory uses (the member execution role, or the caller's own). */
  readonly credentials: AccountCredentials;
  /** DescribeInstanceInformation page size (5-50). @default 50 */
  readonly pageSize?: number;
}

/**
 * The preflight's reads with the execution role of each account: SSM GetDocument (the content is
 * hashed as canonical JSON, so whatever serialization CloudFormation chose, the same runbook has the
 * same hash), IAM GetRole in the partition's global Region (once per account and role), and every
 * page of DescribeInstanceInformation (unfiltered: an InstanceIds filter naming an unmanaged id is
 * refused with InvalidInstanceId, and the unmanaged ones are what the preflight looks for). AWS
 * errors become observations; nothing throws for them.
 */
export class AwsPreflightReader implements PreflightReader {
  private readonly options: AwsPreflightReaderOptions;
  private readonly roles = new Map<string, Promise<RoleObservation>>();

  constructor(options: AwsPreflightReaderOptions) {
    this.options = options;
  }

  async document(location: Location, name: string, version: string | undefined): Promise<DocumentObservation> {
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const out = await ssm.send(
          new GetDocumentCommand({
            Name: name,
            DocumentFormat: 'JSON',
            ...(version ? { DocumentVersion: version } : {}),
          }),
        );
        const content = parseContent(out.Content);
        return {
          kind: 'found',
          name,
          version: out.DocumentVersion ?? '?',
          ...(out.VersionName ? { versionName: out.VersionName } : {}),
          status: out.Status ?? 'Active',
          ...(out.StatusInformation ? { statusInformation: out.StatusInformation } : {}),
          ...(content === undefined
            ? {}
            : { contentSha256: createHash('sha256').update(canonicalJson(content)).digest('hex') }),
          parameters: parameterNames(content),
        };
      });
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'InvalidDocument') return { kind: 'missing', code, message: awsErrorMessage(error) };
      if (code === 'InvalidDocumentVersion') return { kind: 'version-missing', code, message: awsErrorMessage(error) };
      return { kind: 'error', ...failure(error, 'GetDocument', location) };
    }
  }

  role(location: Location, roleArn: string): Promise<RoleObservation> {
    const key = `${location.accountId}|${roleArn}`;
    let pending = this.roles.get(key);
    if (pending === undefined) {
      pending = this.readRole(location, roleArn);
      this.roles.set(key, pending);
    }
    return pending;
  }

  async managedNodes(location: Location): Promise<NodesObservation> {
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        const pingStatus = new Map<string, string>();
        const pages = paginateDescribeInstanceInformation({ client: ssm, pageSize: this.options.pageSize ?? 50 }, {});
        for await (const page of pages) {
          for (const node of page.InstanceInformationList ?? []) {
            if (node.InstanceId) pingStatus.set(node.InstanceId, node.PingStatus ?? 'Online');
          }
        }
        return { kind: 'nodes', pingStatus };
      });
    } catch (error) {
      return { kind: 'error', ...failure(error, 'DescribeInstanceInformation', location) };
    }
  }

  private async readRole(location: Location, roleArn: string): Promise<RoleObservation> {
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    try {
      return await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const { GetRoleCommand } = await import('@aws-sdk/client-iam');
        const iam = await this.options.clients.iam(globalRegionOf(partitionOf(location.region)), provider);
        await iam.send(new GetRoleCommand({ RoleName: roleName }));
        return { kind: 'found', arn: roleArn };
      });
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') {
        return { kind: 'missing', arn: roleArn, code, message: awsErrorMessage(error) };
      }
      return { kind: 'error', arn: roleArn, ...failure(error, 'GetRole', location) };
    }
  }
}

function failure(
  error: unknown,
  operation: string,
  location: Location,
): { error: InventoryErrorKind; code: string; message: string } {
  if (error instanceof AssumeRoleError) return { error: error.failure, code: error.code, message: error.message };
  const code = awsErrorCode(error);
  return {
    error: inventoryErrorKind(error),
    code,
    message: `${operation} in account ${location.accountId}, Region ${location.region} failed (${code}): ${awsErrorMessage(error)}`,
  };
}

function parseContent(content: string | undefined): unknown {
  if (content === undefined) return undefined;
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}

/** The parameter names a schema 0.3 document declares (`parameters` keys). */
function parameterNames(content: unknown): string[] {
  if (content === null || typeof content !== 'object') return [];
  const parameters = (content as { parameters?: unknown }).parameters;
  return parameters !== null && typeof parameters === 'object' ? Object.keys(parameters) : [];
}

import { paginateDescribeInstancePatchStates } from '@aws-sdk/client-ssm';
import type { InstancePatchSummary, Location, PatchStateReader } from '@orgpatch/core';
import { locationCallError, withAccountCredentials } from './accountCall.js';
import type { AccountCredentials } from './assumedRoleCredentials.js';
import type { AwsClientFactory } from './clients.js';

/** DescribeInstancePatchStates takes at most 50 instance ids per call. */
const PATCH_STATE_CHUNK = 50;

/** Options of {@link SsmPatchStateReader}. */
export interface SsmPatchStateReaderOptions {
  readonly clients: AwsClientFactory;
  readonly credentials: AccountCredentials;
}

/** Reads instance patch states with DescribeInstancePatchStates, 50 ids per call, every page. */
export class SsmPatchStateReader implements PatchStateReader {
  private readonly options: SsmPatchStateReaderOptions;

  constructor(options: SsmPatchStateReaderOptions) {
    this.options = options;
  }

  async read(location: Location, instanceIds: readonly string[]): Promise<ReadonlyMap<string, InstancePatchSummary>> {
    const result = new Map<string, InstancePatchSummary>();
    if (instanceIds.length === 0) return result;
    try {
      await withAccountCredentials(this.options.credentials, location, async (provider) => {
        const ssm = this.options.clients.ssm(location.region, provider);
        for (let i = 0; i < instanceIds.length; i += PATCH_STATE_CHUNK) {
          const chunk = instanceIds.slice(i, i + PATCH_STATE_CHUNK);
          for await (const page of paginateDescribeInstancePatchStates(
            { client: ssm, pageSize: 50 },
            { InstanceIds: chunk },
          )) {
            for (const state of page.InstancePatchStates ?? []) {
              if (!state.InstanceId) continue;
              result.set(state.InstanceId, {
                operation: state.Operation === 'Install' ? 'Install' : 'Scan',
                installedCount: state.InstalledCount ?? 0,
                missingCount: state.MissingCount ?? 0,
                failedCount: state.FailedCount ?? 0,
                installedPendingRebootCount: state.InstalledPendingRebootCount ?? 0,
                ...(state.OperationEndTime ? { operationEndTime: state.OperationEndTime.toISOString() } : {}),
              });
            }
          }
        }
      });
    } catch (error) {
      throw locationCallError(error, location, 'DescribeInstancePatchStates');
    }
    return result;
  }
}

import { randomUUID } from 'node:crypto';
import {
  OPERATION_VALUES,
  REBOOT_OPTION_VALUES,
  RUN_PATCH_BASELINE_DOCUMENT_NAME,
} from '@orgpatch/member-stack/definitions';
import type { SimInstance, SimRegion } from '../contract.js';
import { newId } from './compact.js';

/** Simulated minutes a Scan takes (capped by the instance's own patch time). */
const SCAN_MINUTES = 2;
/** How long SendCommand takes to refuse a request (simulated ms). */
const SEND_FAILURE_MS = 2_000;
const GUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const KNOWN_PARAMETERS = new Set([
  'Operation',
  'SnapshotId',
  'InstallOverrideList',
  'BaselineOverride',
  'RebootOption',
  'AssociationId',
]);

/** Extra patch-state fields DescribeInstancePatchStates reports that the world's instance does not hold. */
export interface PatchStateExtras {
  rebootOption?: string;
  installOverrideList?: string;
  lastNoRebootInstallOperationTime?: number;
}

/** What one aws:runCommand of AWS-RunPatchBaseline will do, decided when the step starts. */
export interface PlannedCommand {
  readonly commandId: string;
  /** Simulated ms until the command reaches its final status. */
  readonly durationMs: number;
  /** Applies the outcome to the instances (at completion) and returns the step result. */
  complete(endTime: number): CommandResult;
}

/** The outcome of the command as the aws:runCommand step reports it. */
export interface CommandResult {
  readonly status: 'Success' | 'Failed';
  readonly responseCode: number;
  readonly output: string;
  readonly failureMessage?: string;
}

/**
 * Plans AWS-RunPatchBaseline on instances of one location, as aws:runCommand sends it. SendCommand
 * refuses (and the step fails quickly) when a parameter is invalid or an instance is not a managed
 * node; otherwise the command takes the instances' patch time (Install) or a short scan (Scan), and
 * on completion updates their patch state: Install clears missing patches (or records failures
 * on an instance that fails patching); Scan only records the operation and its times.
 */
export function planRunPatchBaseline(args: {
  readonly region: SimRegion;
  readonly accountId: string;
  readonly instanceIds: readonly string[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly startTime: number;
  readonly extras: WeakMap<SimInstance, PatchStateExtras>;
}): PlannedCommand {
  const commandId = newId();
  const refusal = sendCommandRefusal(args);
  if (refusal !== undefined) {
    return {
      commandId,
      durationMs: SEND_FAILURE_MS,
      complete: () => ({
        status: 'Failed',
        responseCode: -1,
        output: '',
        failureMessage: `Automation Step Execution fails when it is sending the command. Get Exception from SendCommand API of ssm Service. Exception Message from SendCommand API: [${refusal.message} (Service: AmazonSSM; Status Code: 400; Error Code: ${refusal.code}; Request ID: ${randomUUID()}; Proxy: null)]. Please refer to Automation Service Troubleshooting Guide for more diagnosis details.`,
      }),
    };
  }
  const operation = first(args.parameters.Operation) === 'Install' ? 'Install' : 'Scan';
  const rebootOption = first(args.parameters.RebootOption) || 'RebootIfNeeded';
  const snapshotId = first(args.parameters.SnapshotId) || undefined;
  const installOverrideList = first(args.parameters.InstallOverrideList) || undefined;
  const instances = args.instanceIds.map((id) => args.region.instances.get(id)).filter((i): i is SimInstance => !!i);
  const minutes = Math.max(
    ...instances.map((i) => (operation === 'Install' ? i.patchMinutes : Math.min(SCAN_MINUTES, i.patchMinutes))),
  );
  return {
    commandId,
    durationMs: Math.max(30_000, minutes * 60_000),
    complete: (endTime) => {
      const lines: string[] = [];
      const failed: SimInstance[] = [];
      for (const instance of instances) {
        const state = instance.patchState;
        if (instance.failsPatching) {
          failed.push(instance);
          if (operation === 'Install') {
            state.failedCount = Math.max(1, state.missingCount);
            record(instance, operation, args.startTime, endTime, snapshotId);
          }
          lines.push(
            `${instance.instanceId}: ----------ERROR-------\nfailed to run commands: exit status 1\n${operation} failed: ${Math.max(1, state.missingCount)} patch(es) could not be ${operation === 'Install' ? 'installed' : 'assessed'}.`,
          );
          continue;
        }
        if (operation === 'Install') {
          const installed = state.missingCount;
          state.installedCount += installed;
          state.installedPendingRebootCount =
            rebootOption === 'NoReboot' ? state.installedPendingRebootCount + installed : 0;
          state.missingCount = 0;
          state.failedCount = 0;
          const extras = args.extras.get(instance) ?? {};
          extras.rebootOption = rebootOption;
          extras.installOverrideList = installOverrideList;
          if (rebootOption === 'NoReboot') extras.lastNoRebootInstallOperationTime = endTime;
          args.extras.set(instance, extras);
          lines.push(
            `${instance.instanceId}: Installed ${installed} patch(es) from baseline ${state.baselineId}; missing 0; reboot option ${rebootOption}.`,
          );
        } else {
          lines.push(
            `${instance.instanceId}: Scan complete against baseline ${state.baselineId}: ${state.missingCount} missing, ${state.installedCount} installed.`,
          );
        }
        record(instance, operation, args.startTime, endTime, snapshotId);
      }
      const output = lines.join('\n').slice(0, 2500);
      if (failed.length === 0) return { status: 'Success', responseCode: 0, output };
      return {
        status: 'Failed',
        responseCode: 1,
        output,
        failureMessage: `Step fails when it is Poll action status for success. Command ${commandId} returns unexpected invocation result: \n{Status=[Failed], ResponseCode=[1], Output=[\n${output.slice(0, 1000)}\n]}. Please refer to Automation Service Troubleshooting Guide for more diagnosis details.`,
      };
    },
  };
}

/** Why SendCommand would refuse this request, in SSM's words, or `undefined`. */
function sendCommandRefusal(args: {
  readonly region: SimRegion;
  readonly accountId: string;
  readonly instanceIds: readonly string[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
}): { readonly code: string; readonly message: string } | undefined {
  const invalidParameters = (message: string) => ({ code: 'InvalidParameters', message });
  if (args.instanceIds.length === 0) return invalidParameters('At least one instance id is required.');
  const unknown = Object.keys(args.parameters).filter((p) => !KNOWN_PARAMETERS.has(p));
  if (unknown.length > 0) {
    return invalidParameters(
      `Parameters [${unknown.join(', ')}] are not defined in document ${RUN_PATCH_BASELINE_DOCUMENT_NAME}.`,
    );
  }
  const operation = first(args.parameters.Operation) ?? '';
  if (!oneOf(OPERATION_VALUES, operation)) {
    return invalidParameters(
      `Parameter "Operation" has value "${operation}" not found in [${OPERATION_VALUES.join(', ')}].`,
    );
  }
  const reboot = first(args.parameters.RebootOption);
  if (reboot && !oneOf(REBOOT_OPTION_VALUES, reboot)) {
    return invalidParameters(
      `Parameter "RebootOption" has value "${reboot}" not found in [${REBOOT_OPTION_VALUES.join(', ')}].`,
    );
  }
  const snapshot = first(args.parameters.SnapshotId);
  if (snapshot && !GUID.test(snapshot)) {
    return invalidParameters(`Parameter "SnapshotId" has value "${snapshot}" not matching "(^$)|${GUID.source}".`);
  }
  if (first(args.parameters.InstallOverrideList) && first(args.parameters.BaselineOverride)) {
    return invalidParameters('InstallOverrideList and BaselineOverride cannot be used together.');
  }
  const invalid = args.instanceIds.filter((id) => args.region.instances.get(id)?.managed !== true);
  if (invalid.length > 0) {
    return {
      code: 'InvalidInstanceId',
      message: `Instances [[${invalid.join(', ')}]] not in a valid state for account ${args.accountId}`,
    };
  }
  return undefined;
}

function oneOf(values: readonly string[], value: string): boolean {
  return values.includes(value);
}

function record(
  instance: SimInstance,
  operation: 'Scan' | 'Install',
  start: number,
  end: number,
  snapshotId: string | undefined,
): void {
  instance.patchState.operation = operation;
  instance.patchState.operationStartTime = start;
  instance.patchState.operationEndTime = end;
  if (snapshotId !== undefined) instance.patchState.snapshotId = snapshotId;
}

function first(values: readonly string[] | undefined): string | undefined {
  return values?.[0];
}

import { randomUUID } from 'node:crypto';
import {
  OPERATION_VALUES,
  REBOOT_OPTION_VALUES,
  RUN_PATCH_BASELINE_DOCUMENT_NAME,
  RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS,
} from '@orgpatch/member-stack/definitions';
import type { SimInstance, SimRegion } from '../contract.js';
import { newId } from './compact.js';

/** Simulated minutes a Scan takes (capped by the instance's own patch time). */
const SCAN_MINUTES = 2;
/** How long SendCommand takes to refuse a request (simulated ms). */
const SEND_FAILURE_MS = 2_000;
/**
 * SendCommand's delivery timeout when the step gives no `TimeoutSeconds`: 3,600 s ("The default for
 * Timeout (seconds) is 3600 seconds", Systems Manager User Guide, "Understanding command timeout values").
 */
const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 3_600;
/** SendCommandRequest `TimeoutSeconds` bounds in the SSM model (shape TimeoutSeconds: min 30, max 2592000). */
const DELIVERY_TIMEOUT_BOUNDS = { min: 30, max: 2_592_000 } as const;
/** SendCommand's InstanceId pattern (SSM service model, shape InstanceId). */
const SEND_COMMAND_INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
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

/**
 * The outcome of the command as the aws:runCommand step reports it. `status` is the command
 * invocation's (the SSM model's CommandInvocationStatus): `TimedOut` covers both "Delivery Timed Out"
 * and "Execution Timed Out" (its StatusDetails).
 */
export interface CommandResult {
  readonly status: 'Success' | 'Failed' | 'TimedOut';
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
 *
 * Run Command's timeouts ("Understanding command timeout values"): a node that does not take
 * delivery within the delivery timeout (the step's `TimeoutSeconds` input; SendCommand: "If this time
 * is reached and the command hasn't already started running, it won't run") never runs it, and its
 * invocation turns `TimedOut` ("Delivery Timed Out") when the command expires, after the total
 * timeout: the delivery timeout plus the document's execution timeout. A run longer than
 * AWS-RunPatchBaseline's execution timeout ends `TimedOut` ("Execution Timed Out") without the
 * sandbox applying its patches.
 */
export function planRunPatchBaseline(args: {
  readonly region: SimRegion;
  readonly accountId: string;
  readonly instanceIds: readonly string[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly startTime: number;
  readonly extras: WeakMap<SimInstance, PatchStateExtras>;
  /** The step's `TimeoutSeconds` input (SendCommand's delivery timeout), if it gave one. */
  readonly deliveryTimeoutSeconds?: unknown;
  /** Simulated ms until SSM Agent on the node takes delivery (`Infinity`: never). */
  readonly deliveryDelayMs: (instanceId: string) => number;
}): PlannedCommand {
  const commandId = newId();
  const refusal = sendCommandRefusal(args) ?? deliveryTimeoutRefusal(args.deliveryTimeoutSeconds);
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
  const deliveryTimeoutMs =
    (typeof args.deliveryTimeoutSeconds === 'number' ? args.deliveryTimeoutSeconds : DEFAULT_DELIVERY_TIMEOUT_SECONDS) *
    1000;
  const executionTimeoutMs = RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS * 1000;
  const invocations = instances.map((instance) => {
    const delayMs = args.deliveryDelayMs(instance.instanceId);
    if (delayMs > deliveryTimeoutMs) {
      return { instance, outcome: 'Delivery Timed Out' as const, endMs: deliveryTimeoutMs + executionTimeoutMs };
    }
    const minutes = operation === 'Install' ? instance.patchMinutes : Math.min(SCAN_MINUTES, instance.patchMinutes);
    const runMs = Math.max(30_000, minutes * 60_000);
    return runMs > executionTimeoutMs
      ? { instance, outcome: 'Execution Timed Out' as const, endMs: delayMs + executionTimeoutMs }
      : { instance, outcome: 'Ran' as const, endMs: delayMs + runMs };
  });
  return {
    commandId,
    durationMs: Math.max(...invocations.map((i) => i.endMs)),
    complete: (endTime) => {
      const lines: string[] = [];
      const failed: SimInstance[] = [];
      const timedOut: SimInstance[] = [];
      for (const { instance, outcome } of invocations) {
        if (outcome !== 'Ran') {
          timedOut.push(instance);
          lines.push(
            outcome === 'Delivery Timed Out'
              ? `${instance.instanceId}: Delivery Timed Out: SSM Agent did not take delivery within ${deliveryTimeoutMs / 1000} s; the command did not run.`
              : `${instance.instanceId}: Execution Timed Out: ${RUN_PATCH_BASELINE_DOCUMENT_NAME} ran past its execution timeout of ${RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS} s and was stopped.`,
          );
          continue;
        }
        const state = instance.patchState;
        if (instance.failsPatching) {
          failed.push(instance);
          if (operation === 'Install') {
            // Critical and Security patches go first, as baselines approve them; the rest fail.
            const first = state.criticalCount + state.securityCount;
            state.installedCount += first;
            state.missingCount -= first;
            state.criticalCount = 0;
            state.securityCount = 0;
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
          state.criticalCount = 0;
          state.securityCount = 0;
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
      if (failed.length === 0 && timedOut.length === 0) return { status: 'Success', responseCode: 0, output };
      const [status, responseCode] = failed.length > 0 ? (['Failed', 1] as const) : (['TimedOut', -1] as const);
      return {
        status,
        responseCode,
        output,
        failureMessage: `Step fails when it is Poll action status for success. Command ${commandId} returns unexpected invocation result: \n{Status=[${status}], ResponseCode=[${responseCode}], Output=[\n${output.slice(0, 1000)}\n]}. Please refer to Automation Service Troubleshooting Guide for more diagnosis details.`,
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
  // The model's InstanceId pattern is checked before anything else: a volume, security group or
  // network interface id that a ResourceGroup or tag target put in InstanceIds fails here.
  const malformed = args.instanceIds.find((id) => !SEND_COMMAND_INSTANCE_ID.test(id));
  if (malformed !== undefined) {
    return {
      code: 'ValidationException',
      message: `1 validation error detected: Value '[${args.instanceIds.join(', ')}]' at 'instanceIds' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${SEND_COMMAND_INSTANCE_ID.source}]`,
    };
  }
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

/** SendCommand's own check of `TimeoutSeconds` against the model's bounds, in AWS's validation words. */
function deliveryTimeoutRefusal(value: unknown): { readonly code: string; readonly message: string } | undefined {
  if (value === undefined) return undefined;
  const { min, max } = DELIVERY_TIMEOUT_BOUNDS;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return {
      code: 'ValidationException',
      message: `1 validation error detected: Value '${String(value)}' at 'timeoutSeconds' failed to satisfy constraint: Member must be an integer`,
    };
  }
  if (value >= min && value <= max) return undefined;
  return {
    code: 'ValidationException',
    message: `1 validation error detected: Value '${value}' at 'timeoutSeconds' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
  };
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

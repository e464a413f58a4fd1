import { locationKey } from '@orgpatch/core';
import { RUN_PATCH_BASELINE_DOCUMENT_NAME } from '@orgpatch/member-stack/definitions';
import {
  AwsServiceError,
  type SimClock,
  type SimDocument,
  type SimInstance,
  type SimRegion,
  type SimWorld,
} from '../contract.js';
import {
  API_STEP_MS,
  type ApiStepResult,
  type AwsApiCall,
  branchTarget,
  executeAwsApi,
  pollAwsResourceProperty,
  WAIT_POLL_MS,
} from './apiSteps.js';
import { flat, newId } from './compact.js';
import type { AutomationModel, StepDeclaration } from './documentModel.js';
import { checkValues, type InterpolationScope, interpolate } from './parameters.js';
import { AUTOMATION_QUEUE, RATE_CONTROL_AUTOMATION_QUEUE } from './quotas.js';
import { rampUpLimit } from './rateControl.js';
import { isRecord } from './requestCheck.js';
import { type PatchStateExtras, planRunPatchBaseline } from './runPatchBaseline.js';
import { isoDurationMs, stringLists, strings } from './stepInputs.js';

/** The execution statuses the sandbox produces (a subset of SSM's AutomationExecutionStatus). */
export type ExecutionStatus = 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** Simulated delay between StartAutomationExecution and the execution leaving Pending (when a slot is free). */
const DISPATCH_MS = 1_000;
/** Simulated time SSM takes to find out the automation role cannot be assumed. */
const ROLE_FAILURE_MS = 1_000;
/** Simulated time a step with an action the sandbox does not implement takes to fail. */
const UNSUPPORTED_ACTION_MS = 1_000;

/** How many automations may run at once in one account and Region. */
export interface ConcurrencyLimits {
  /** Every running automation counts: standalone runs, rate control parents and their children. */
  readonly running: number;
  /** Running rate control parents; less than `running`, so that a child always finds a slot. */
  readonly rateControl: number;
}

/** When SSM Agent on a managed node takes delivery of a Run Command (the `commandDelivery` fault). */
export interface CommandDelivery {
  /** Simulated ms after SendCommand; `Infinity` for a node that never takes it. */
  deliveryDelayMs(accountId: string, region: string, instanceId: string): number;
}

/** What an execution runs; shared by a rate-control parent and all its children (one object per start). */
export interface ExecutionPlan {
  readonly document: SimDocument;
  readonly model: AutomationModel;
  /** The parameters with the document defaults filled in (without the target parameter for a rate-control run). */
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly executedBy: string;
  readonly targetParameterName?: string;
  readonly targets?: readonly { readonly Key: string; readonly Values: readonly string[] }[];
  readonly maxConcurrency?: string;
  readonly maxErrors?: string;
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
}

/** One step that has started. Steps not yet started are derived from the document when described. */
export interface StepRun {
  readonly index: number;
  readonly id: string;
  status: ExecutionStatus;
  readonly start: number;
  end?: number;
  /** The Run Command the step sent (aws:runCommand): its outputs CommandId, Status, ResponseCode, Output. */
  command?: CommandOutputs;
  /** What an aws:executeAwsApi step selected from its response, by output name. */
  outputs?: Record<string, string[]>;
  failureMessage?: string;
  failureStage?: string;
}

/** What an aws:runCommand step outputs, kept flat (the API's map of lists is built when described). */
export interface CommandOutputs {
  readonly commandId: string;
  readonly status: string;
  readonly responseCode?: number;
  readonly output?: string;
}

/** The outputs of a step in the API's shape (`{ CommandId: [...], ... }`). */
export function stepOutputs(step: StepRun): Record<string, string[]> | undefined {
  const command = step.command;
  if (!command) return step.outputs;
  return {
    CommandId: [command.commandId],
    Status: [command.status],
    ...(command.responseCode !== undefined ? { ResponseCode: [String(command.responseCode)] } : {}),
    ...(command.output ? { Output: [command.output] } : {}),
  };
}

/** Rate-control state of a parent execution; children are created only when they start. */
export interface RateControl {
  readonly resolved: readonly string[];
  readonly concurrency: number;
  readonly errorLimit: number;
  next: number;
  running: number;
  completed: number;
  /** Children that ended other than Success (Failed, TimedOut, Cancelled): MaxErrors counts these. */
  errors: number;
  readonly children: Execution[];
  /** No further targets start (error threshold crossed, or stopped). */
  halted: boolean;
  thresholdCrossed: boolean;
  cancelRequested: boolean;
  /** Queued in the location's waiters for a concurrency slot. */
  waiting: boolean;
}

/** One automation execution: a standalone run, a rate-control parent, or one parent's child. */
export interface Execution {
  readonly id: string;
  /** Creation order across the service; the paging cursor. */
  readonly seq: number;
  readonly location: LocationState;
  readonly plan: ExecutionPlan;
  readonly parent?: Execution;
  /** The target value a child runs for (its instance id). */
  readonly target?: string;
  status: ExecutionStatus;
  readonly startTime: number;
  endTime?: number;
  failureMessage?: string;
  steps?: StepRun[];
  cancelTimer?: () => void;
  readonly rc?: RateControl;
}

/** Automation state of one account and Region: executions, the concurrency pool and its queues. */
export interface LocationState {
  readonly accountId: string;
  readonly region: SimRegion;
  /** Every execution here, in creation order (ascending seq). */
  readonly executions: Execution[];
  /** Standalone executions waiting for a slot, first in first out (SSM's "Automation queue"). */
  readonly queue: Execution[];
  /** Rate control parents waiting for a slot, first in first out (the "Rate control automation queue"). */
  readonly rateControlQueue: Execution[];
  /** Rate-control parents that can start a child as soon as a slot frees. */
  readonly waiters: Execution[];
  running: number;
  runningParents: number;
  dispatchScheduled: boolean;
  pumping: boolean;
  readonly clientTokens: Map<string, { readonly fingerprint: string; readonly executionId: string }>;
}

/**
 * Runs automation executions on the simulated clock: admits them into each location's pool of
 * concurrently running automations (parents and children count alike; the rest wait, Pending),
 * fans rate-control parents out into one child per target under MaxConcurrency (with SSM's
 * exponential ramp-up) and MaxErrors, and interprets each child's steps.
 *
 * Children of rate-control parents are served before queued top-level executions; queued parents
 * and standalone runs are admitted in the order they were started, parents only while fewer than
 * `limits.rateControl` run (SSM's 25), so the pool never fills with parents that wait for children.
 */
export class AutomationEngine {
  private readonly locations = new Map<string, LocationState>();
  private readonly byId = new Map<string, Execution>();
  private readonly patchExtras = new WeakMap<SimInstance, PatchStateExtras>();
  private seq = 0;

  constructor(
    private readonly world: SimWorld,
    private readonly clock: SimClock,
    private readonly limits: ConcurrencyLimits,
    private readonly delivery?: CommandDelivery,
    /** The AWS APIs aws:executeAwsApi and aws:waitForAwsResourceProperty steps call (EC2). */
    private readonly awsApi?: AwsApiCall,
  ) {}

  /** The state of one account and Region (created on first use). */
  location(accountId: string, region: SimRegion): LocationState {
    const key = locationKey(accountId, region.region);
    let state = this.locations.get(key);
    if (!state) {
      state = {
        accountId,
        region,
        executions: [],
        queue: [],
        rateControlQueue: [],
        waiters: [],
        running: 0,
        runningParents: 0,
        dispatchScheduled: false,
        pumping: false,
        clientTokens: new Map(),
      };
      this.locations.set(key, state);
    }
    return state;
  }

  /** An execution by id, if it belongs to this location. */
  find(location: LocationState, id: string): Execution | undefined {
    const execution = this.byId.get(id);
    return execution?.location === location ? execution : undefined;
  }

  /** Extra patch-state fields recorded by runs (reboot option, override list, last NoReboot install). */
  extras(instance: SimInstance): PatchStateExtras | undefined {
    return this.patchExtras.get(instance);
  }

  /**
   * Creates a top-level execution (Pending) and queues it; `targets` makes it a rate-control parent.
   * @throws AwsServiceError AutomationExecutionLimitExceededException when its queue is full.
   */
  start(
    location: LocationState,
    plan: ExecutionPlan,
    rateControl?: { readonly targets: readonly string[]; readonly concurrency: number; readonly errorLimit: number },
  ): Execution {
    // Executions about to take a free slot are not queued in SSM's sense; only those beyond the free slots count.
    const freeSlots = Math.max(0, this.limits.running - location.running);
    const [queue, capacity, kind, free] = rateControl
      ? [
          location.rateControlQueue,
          RATE_CONTROL_AUTOMATION_QUEUE,
          'rate control automations',
          Math.min(freeSlots, Math.max(0, this.limits.rateControl - location.runningParents)),
        ]
      : [location.queue, AUTOMATION_QUEUE, 'automations', freeSlots];
    const queued = queue.length - free;
    if (queued >= capacity) {
      throw new AwsServiceError(
        'AutomationExecutionLimitExceededException',
        `Automation execution limit exceeded: ${queued} ${kind} are already queued in account ${location.accountId} Region ${location.region.region} (at most ${capacity}); wait for running automations to finish.`,
      );
    }
    const execution: Execution = {
      id: newId(),
      seq: ++this.seq,
      location,
      plan,
      status: 'Pending',
      startTime: this.clock.now(),
      rc: rateControl
        ? {
            resolved: rateControl.targets,
            concurrency: rateControl.concurrency,
            errorLimit: rateControl.errorLimit,
            next: 0,
            running: 0,
            completed: 0,
            errors: 0,
            children: [],
            halted: false,
            thresholdCrossed: false,
            cancelRequested: false,
            waiting: false,
          }
        : undefined,
    };
    this.register(execution);
    queue.push(execution);
    if (!location.dispatchScheduled) {
      location.dispatchScheduled = true;
      this.clock.schedule(DISPATCH_MS, () => {
        location.dispatchScheduled = false;
        this.pump(location);
      });
    }
    return execution;
  }

  /**
   * StopAutomationExecution. `Cancel` ends the execution (and a parent's running children) as
   * Cancelled; `Complete` on a rate-control parent starts no further targets and lets the running
   * children finish; on any other execution it acts as Cancel.
   */
  stop(execution: Execution, type: 'Cancel' | 'Complete'): void {
    if (TERMINAL.has(execution.status)) {
      throw new AwsServiceError(
        'InvalidAutomationStatusUpdateException',
        `The automation execution ${execution.id} is already ${execution.status} and cannot be stopped.`,
      );
    }
    const location = execution.location;
    if (execution.status === 'Pending') {
      const queue = execution.rc ? location.rateControlQueue : location.queue;
      const index = queue.indexOf(execution);
      if (index >= 0) queue.splice(index, 1);
      execution.status = 'Cancelled';
      execution.endTime = this.clock.now();
      return;
    }
    const rc = execution.rc;
    if (rc) {
      rc.halted = true;
      if (type === 'Cancel') {
        rc.cancelRequested = true;
        for (const child of rc.children) if (child.status === 'InProgress') this.cancelRun(child);
      }
      this.finishParentIfDone(execution);
      return;
    }
    this.cancelRun(execution);
  }

  /** The parameters an execution runs with (a child's include its own target). */
  parametersOf(execution: Execution): Readonly<Record<string, readonly string[]>> {
    const name = execution.plan.targetParameterName;
    if (execution.target === undefined || name === undefined) return execution.plan.parameters;
    return { ...execution.plan.parameters, [name]: [execution.target] };
  }

  /**
   * The fully resolved inputs of a step that has started. Recomputed when asked rather than kept:
   * they follow from the parameters and the earlier steps' outputs, and thousands of children
   * would otherwise each hold a copy.
   */
  inputsOf(execution: Execution, step: StepRun): Record<string, unknown> {
    const declaration = execution.plan.model.steps[step.index];
    const resolved = interpolate(declaration?.inputs ?? {}, this.scope(execution, step.index, step.start));
    return isRecord(resolved) ? resolved : {};
  }

  /** True when the status is final. */
  static isTerminal(status: ExecutionStatus): boolean {
    return TERMINAL.has(status);
  }

  private register(execution: Execution): void {
    this.byId.set(execution.id, execution);
    execution.location.executions.push(execution);
  }

  /**
   * Hands free slots to waiting children first, then to queued top-level executions in the order
   * they were started; a queued parent waits while the rate control limit is reached, without
   * holding up the standalone runs behind it.
   */
  private pump(location: LocationState): void {
    if (location.pumping) return;
    location.pumping = true;
    try {
      while (location.running < this.limits.running) {
        const parent = location.waiters.shift();
        if (parent?.rc) {
          parent.rc.waiting = false;
          if (this.wantsChild(parent)) {
            this.startChild(parent);
            this.enqueueWaiter(parent);
          }
          continue;
        }
        const standalone = location.queue[0];
        const rateControl =
          location.runningParents < this.limits.rateControl ? location.rateControlQueue[0] : undefined;
        const next = standalone && (!rateControl || standalone.seq < rateControl.seq) ? standalone : rateControl;
        if (!next) break;
        (next === standalone ? location.queue : location.rateControlQueue).shift();
        this.admit(next);
      }
    } finally {
      location.pumping = false;
    }
  }

  private admit(execution: Execution): void {
    const location = execution.location;
    execution.status = 'InProgress';
    location.running++;
    const rc = execution.rc;
    if (!rc) {
      this.begin(execution);
      return;
    }
    location.runningParents++;
    if (rc.resolved.length === 0) {
      const target = execution.plan.targets?.[0];
      this.finish(
        execution,
        'Failed',
        `No targets were resolved for Targets [Key=${target?.Key ?? ''},Values=${target?.Values.join(',') ?? ''}] in account ${location.accountId} Region ${location.region.region}.`,
      );
      return;
    }
    this.enqueueWaiter(execution);
  }

  private wantsChild(parent: Execution): boolean {
    const rc = parent.rc;
    if (!rc || parent.status !== 'InProgress' || rc.halted || rc.next >= rc.resolved.length) return false;
    return rc.running < rampUpLimit(rc.completed, rc.concurrency);
  }

  private enqueueWaiter(parent: Execution): void {
    if (parent.rc && !parent.rc.waiting && this.wantsChild(parent)) {
      parent.rc.waiting = true;
      parent.location.waiters.push(parent);
    }
  }

  private startChild(parent: Execution): void {
    const rc = parent.rc;
    if (!rc) return;
    const target = rc.resolved[rc.next++];
    rc.running++;
    const child: Execution = {
      id: newId(),
      seq: ++this.seq,
      location: parent.location,
      plan: parent.plan,
      parent,
      target,
      status: 'InProgress',
      startTime: this.clock.now(),
    };
    rc.children.push(child);
    this.register(child);
    parent.location.running++;
    this.begin(child);
  }

  /** Starts a standalone execution or a child: checks the automation role, then runs the first step. */
  private begin(execution: Execution): void {
    const problem = this.targetProblem(execution) ?? this.roleProblem(execution);
    if (problem !== undefined) {
      const message = flat(problem);
      execution.cancelTimer = this.clock.schedule(ROLE_FAILURE_MS, () => this.finish(execution, 'Failed', message));
      return;
    }
    this.runStep(execution, 0);
  }

  /** A child's target value must satisfy the target parameter's declaration, like any parameter value. */
  private targetProblem(execution: Execution): string | undefined {
    const name = execution.plan.targetParameterName;
    if (execution.target === undefined || name === undefined) return undefined;
    const declaration = execution.plan.model.parameters.find((p) => p.name === name);
    if (!declaration) return undefined;
    try {
      checkValues(name, declaration.type, [execution.target], declaration);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private roleProblem(execution: Execution): string | undefined {
    const template = execution.plan.model.assumeRole;
    if (template === undefined) return undefined;
    const resolved = interpolate(template, this.scope(execution));
    const arn = typeof resolved === 'string' ? resolved : '';
    if (arn === '') return undefined;
    const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
    const role = match ? this.world.accounts.get(match[2] ?? '')?.roles.get(match[3] ?? '') : undefined;
    const assumable =
      match !== null &&
      match[1] === this.world.partition &&
      match[2] === execution.location.accountId &&
      role?.trustedService === 'ssm.amazonaws.com';
    return assumable ? undefined : 'The defined assume role is unable to be assumed.';
  }

  private runStep(execution: Execution, index: number): void {
    const declaration = execution.plan.model.steps[index];
    if (!declaration) {
      this.finish(execution, 'Success');
      return;
    }
    const step: StepRun = { index, id: newId(), status: 'InProgress', start: this.clock.now() };
    if (!execution.steps) execution.steps = [];
    execution.steps.push(step);
    const inputs = this.inputsOf(execution, step);

    let durationMs: number;
    let outcome: () => StepOutcome;
    /** What goes on after the step times out (a command keeps running on its node). */
    let afterTimeout: (() => void) | undefined;
    if (declaration.action === 'aws:runCommand' && inputs.DocumentName === RUN_PATCH_BASELINE_DOCUMENT_NAME) {
      const { accountId, region } = execution.location;
      const command = planRunPatchBaseline({
        region,
        accountId,
        instanceIds: strings(inputs.InstanceIds),
        parameters: stringLists(inputs.Parameters),
        startTime: step.start,
        extras: this.patchExtras,
        deliveryTimeoutSeconds: inputs.TimeoutSeconds,
        // An agent that is not Online never takes delivery: the command times out on that node.
        deliveryDelayMs: (instanceId) =>
          region.instances.get(instanceId)?.pingStatus !== undefined
            ? Number.POSITIVE_INFINITY
            : (this.delivery?.deliveryDelayMs(accountId, region.region, instanceId) ?? 0),
      });
      durationMs = command.durationMs;
      afterTimeout = () => command.complete(this.clock.now());
      outcome = () => {
        const result = command.complete(this.clock.now());
        return {
          // The step polls the command: any final status but Success fails it.
          status: result.status === 'Success' ? 'Success' : 'Failed',
          failureMessage: result.failureMessage,
          command: {
            commandId: command.commandId,
            status: result.status,
            responseCode: result.responseCode,
            ...(result.output ? { output: flat(result.output) } : {}),
          },
        };
      };
    } else if (declaration.action === 'aws:branch') {
      durationMs = 0;
      outcome = () => ({ status: 'Success', nextStep: branchTarget(inputs) });
    } else if (declaration.action === 'aws:executeAwsApi') {
      durationMs = API_STEP_MS;
      outcome = () => executeAwsApi(this.awsApi, declaration, inputs, this.at(execution));
    } else if (declaration.action === 'aws:waitForAwsResourceProperty') {
      this.pollStep(execution, step, declaration, inputs, 0);
      return;
    } else if (declaration.action === 'aws:sleep' && typeof inputs.Duration === 'string') {
      durationMs = isoDurationMs(inputs.Duration);
      outcome = () => ({ status: 'Success' });
    } else {
      durationMs = UNSUPPORTED_ACTION_MS;
      const what =
        declaration.action === 'aws:runCommand'
          ? `aws:runCommand of ${String(inputs.DocumentName)} (only ${RUN_PATCH_BASELINE_DOCUMENT_NAME} is simulated)`
          : declaration.action;
      outcome = () => ({
        status: 'Failed',
        failureMessage: `The orgpatch sandbox does not simulate ${what}; step ${declaration.name} cannot run here.`,
      });
    }
    // The step's timeoutSeconds covers the whole action (for aws:runCommand: sending, delivery and
    // the run). A step that times out stops waiting; the command it sent runs on to its own end.
    if (declaration.timeoutSeconds !== undefined && declaration.timeoutSeconds * 1000 < durationMs) {
      const stillRunningMs = durationMs - declaration.timeoutSeconds * 1000;
      durationMs = declaration.timeoutSeconds * 1000;
      outcome = () => {
        if (afterTimeout) this.clock.schedule(stillRunningMs, afterTimeout);
        return {
          status: 'TimedOut',
          failureMessage: `Step timed out while step is verifying the command has completed (step timeoutSeconds ${declaration.timeoutSeconds}).`,
        };
      };
    }
    execution.cancelTimer = this.clock.schedule(durationMs, () =>
      this.completeStep(execution, step, declaration, outcome()),
    );
  }

  private at(execution: Execution): { accountId: string; region: string } {
    return { accountId: execution.location.accountId, region: execution.location.region.region };
  }

  /** Polls an aws:waitForAwsResourceProperty step until its values are desired, or its timeout (default an hour). */
  private pollStep(execution: Execution, step: StepRun, declaration: StepDeclaration, inputs: object, waited: number) {
    const limitMs = (declaration.timeoutSeconds ?? 3600) * 1000;
    const delay = Math.min(waited === 0 ? API_STEP_MS : WAIT_POLL_MS, limitMs - waited);
    execution.cancelTimer = this.clock.schedule(delay, () => {
      const result = pollAwsResourceProperty(this.awsApi, inputs as Record<string, unknown>, this.at(execution));
      if (result === undefined && waited + delay < limitMs) {
        this.pollStep(execution, step, declaration, inputs, waited + delay);
        return;
      }
      const timedOut = `Step timed out while waiting for ${String((inputs as Record<string, unknown>).PropertySelector)} to be ${JSON.stringify((inputs as Record<string, unknown>).DesiredValues)} (step timeoutSeconds ${limitMs / 1000}).`;
      this.completeStep(execution, step, declaration, result ?? { status: 'TimedOut', failureMessage: timedOut });
    });
  }

  private completeStep(execution: Execution, step: StepRun, declaration: StepDeclaration, outcome: StepOutcome): void {
    if (AutomationEngine.isTerminal(execution.status)) return;
    execution.cancelTimer = undefined;
    step.status = outcome.status;
    step.end = this.clock.now();
    if (outcome.command) step.command = outcome.command;
    if (outcome.outputs) step.outputs = outcome.outputs;
    if (outcome.failureMessage !== undefined) {
      step.failureMessage = flat(outcome.failureMessage);
      step.failureStage = 'Invocation';
    }
    const steps = execution.plan.model.steps;
    const indexOf = (name: string) => steps.findIndex((s) => s.name === name);
    if (outcome.status === 'Success' || declaration.onFailure === 'Continue' || !declaration.isCritical) {
      if (declaration.isEnd) this.finish(execution, 'Success');
      else {
        const next = outcome.nextStep ?? declaration.nextStep;
        this.runStep(execution, next !== undefined ? indexOf(next) : step.index + 1);
      }
    } else if (declaration.onFailure.startsWith('step:')) {
      this.runStep(execution, indexOf(declaration.onFailure.slice(5)));
    } else {
      this.finish(execution, outcome.status === 'TimedOut' ? 'TimedOut' : 'Failed', step.failureMessage);
    }
  }

  private cancelRun(execution: Execution): void {
    execution.cancelTimer?.();
    execution.cancelTimer = undefined;
    const step = execution.steps?.at(-1);
    if (step && step.status === 'InProgress') {
      step.status = 'Cancelled';
      step.end = this.clock.now();
    }
    this.finish(execution, 'Cancelled');
  }

  private finish(execution: Execution, status: ExecutionStatus, failureMessage?: string): void {
    if (AutomationEngine.isTerminal(execution.status)) return;
    const location = execution.location;
    execution.status = status;
    execution.endTime = this.clock.now();
    execution.cancelTimer = undefined;
    if (failureMessage !== undefined) execution.failureMessage = failureMessage;
    location.running--;
    if (execution.rc) location.runningParents--;
    const parent = execution.parent;
    if (parent?.rc) {
      const rc = parent.rc;
      rc.running--;
      rc.completed++;
      if (status !== 'Success') rc.errors++;
      if (rc.errors > rc.errorLimit && !rc.thresholdCrossed) {
        rc.thresholdCrossed = true;
        rc.halted = true;
      }
      this.finishParentIfDone(parent);
      this.enqueueWaiter(parent);
    }
    this.pump(location);
  }

  private finishParentIfDone(parent: Execution): void {
    const rc = parent.rc;
    if (!rc || parent.status !== 'InProgress' || rc.running > 0) return;
    if (!rc.halted && rc.next < rc.resolved.length) return;
    this.finish(parent, rc.cancelRequested ? 'Cancelled' : rc.thresholdCrossed ? 'Failed' : 'Success');
  }

  /** What `{{ }}` resolves to for a step at `beforeStep` (outputs of steps that ran before it). */
  private scope(
    execution: Execution,
    beforeStep = Number.POSITIVE_INFINITY,
    at = this.clock.now(),
  ): InterpolationScope {
    const date = new Date(at).toISOString();
    const outputs: Record<string, string[]> = {};
    for (const run of execution.steps ?? []) {
      if (run.index >= beforeStep) continue;
      const name = execution.plan.model.steps[run.index]?.name;
      for (const [key, value] of Object.entries(stepOutputs(run) ?? {})) outputs[`${name}.${key}`] = value;
    }
    return {
      parameters: this.parametersOf(execution),
      types: new Map(execution.plan.model.parameters.map((p) => [p.name, p.type])),
      variables: {
        'automation:EXECUTION_ID': execution.id,
        'automation:DOCUMENT_EXECUTION_ID': execution.id,
        'automation:DOCUMENT_NAME': execution.plan.document.name,
        'global:ACCOUNT_ID': execution.location.accountId,
        'global:REGION': execution.location.region.region,
        'global:DATE': date.slice(0, 10),
        'global:DATE_TIME': `${date.slice(0, 10)}_${date.slice(11, 19).replaceAll(':', '.')}`,
        'global:AWS_PARTITION': this.world.partition,
        'global:AWS_URL_SUFFIX': this.world.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
      },
      stepOutputs: outputs,
    };
  }
}

interface StepOutcome extends Omit<ApiStepResult, 'status'> {
  readonly status: 'Success' | 'Failed' | 'TimedOut';
  readonly command?: CommandOutputs;
  /** aws:branch: the step chosen. */
  readonly nextStep?: string;
}

import { AutomationEngine, type Execution, type StepRun, stepOutputs } from './engine.js';

/**
 * The API shapes of an execution (AutomationExecution, AutomationExecutionMetadata, StepExecution),
 * computed on demand from the compact engine state. Times are epoch seconds, as the awsJson1_1
 * protocol carries timestamps.
 */

/** AutomationExecutionMetadata, as DescribeAutomationExecutions lists it. */
export function executionMetadata(execution: Execution): Record<string, unknown> {
  const current = currentStep(execution);
  return {
    AutomationExecutionId: execution.id,
    DocumentName: execution.plan.document.name,
    DocumentVersion: execution.plan.document.documentVersion,
    AutomationExecutionStatus: execution.status,
    ExecutionStartTime: seconds(execution.startTime),
    ExecutionEndTime: seconds(execution.endTime),
    ExecutedBy: execution.plan.executedBy,
    LogFile: '',
    Outputs: outputsOf(execution),
    Mode: 'Auto',
    ParentAutomationExecutionId: execution.parent?.id,
    CurrentStepName: current?.name,
    CurrentAction: current?.action,
    FailureMessage: execution.failureMessage,
    ...targeting(execution),
    AutomationType: 'Local',
  };
}

/**
 * AutomationExecution, as GetAutomationExecution returns it: members of the SSM model's
 * AutomationExecution shape only. A rate control parent's progress is its children
 * (DescribeAutomationExecutions with the ParentExecutionId filter); the model's ProgressCounters is
 * documented for multi-Region and multi-account executions, which the sandbox does not run.
 */
export function executionDetail(engine: AutomationEngine, execution: Execution): Record<string, unknown> {
  const current = currentStep(execution);
  return {
    AutomationExecutionId: execution.id,
    DocumentName: execution.plan.document.name,
    DocumentVersion: execution.plan.document.documentVersion,
    ExecutionStartTime: seconds(execution.startTime),
    ExecutionEndTime: seconds(execution.endTime),
    AutomationExecutionStatus: execution.status,
    StepExecutions: stepExecutions(engine, execution),
    StepExecutionsTruncated: false,
    Parameters: parametersView(execution),
    Outputs: outputsOf(execution),
    FailureMessage: execution.failureMessage,
    Mode: 'Auto',
    ParentAutomationExecutionId: execution.parent?.id,
    ExecutedBy: execution.plan.executedBy,
    CurrentStepName: current?.name,
    CurrentAction: current?.action,
    ...targeting(execution),
  };
}

/** The StepExecution list of an execution: steps run so far, then (while it runs) the steps still to come. */
export function stepExecutions(engine: AutomationEngine, execution: Execution): Record<string, unknown>[] {
  if (execution.rc) return [];
  const steps = execution.plan.model.steps;
  const runs = execution.steps ?? [];
  const views = runs.map((run) => stepView(engine, execution, run));
  if (!AutomationEngine.isTerminal(execution.status)) {
    const last = runs.at(-1)?.index ?? -1;
    for (let index = last + 1; index < steps.length; index++) views.push(pendingStepView(execution, index));
  }
  return views;
}

function stepView(engine: AutomationEngine, execution: Execution, run: StepRun): Record<string, unknown> {
  const declaration = execution.plan.model.steps[run.index];
  return {
    ...declarationView(execution, run.index),
    StepExecutionId: run.id,
    ExecutionStartTime: seconds(run.start),
    ExecutionEndTime: seconds(run.end),
    StepStatus: run.status,
    Inputs: Object.fromEntries(
      Object.entries(engine.inputsOf(execution, run)).map(([key, value]) => [key, JSON.stringify(value)]),
    ),
    Outputs: stepOutputs(run),
    ResponseCode: run.command?.responseCode === undefined ? undefined : String(run.command.responseCode),
    FailureMessage: run.failureMessage,
    FailureDetails:
      run.failureMessage !== undefined
        ? {
            FailureStage: run.failureStage ?? 'Invocation',
            FailureType: run.status === 'TimedOut' ? 'Verification' : 'Action',
            Details: { StepName: [declaration?.name ?? ''] },
          }
        : undefined,
    OverriddenParameters: {},
  };
}

function pendingStepView(execution: Execution, index: number): Record<string, unknown> {
  return { ...declarationView(execution, index), StepStatus: 'Pending', OverriddenParameters: {} };
}

function declarationView(execution: Execution, index: number): Record<string, unknown> {
  const declaration = execution.plan.model.steps[index];
  return {
    StepName: declaration?.name,
    Action: declaration?.action,
    TimeoutSeconds: declaration?.timeoutSeconds,
    OnFailure: declaration?.onFailure ?? 'Abort',
    MaxAttempts: declaration?.maxAttempts ?? 1,
    IsEnd: declaration?.isEnd,
    NextStep: declaration?.nextStep,
    IsCritical: declaration?.isCritical ?? true,
  };
}

function parametersView(execution: Execution): Record<string, string[]> {
  const parameters = execution.plan.parameters;
  const name = execution.plan.targetParameterName;
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parameters)) result[key] = [...value];
  if (execution.target !== undefined && name !== undefined) result[name] = [execution.target];
  return result;
}

function targeting(execution: Execution): Record<string, unknown> {
  const plan = execution.plan;
  if (execution.rc) {
    return {
      TargetParameterName: plan.targetParameterName,
      Targets: plan.targets?.map((t) => ({ Key: t.Key, Values: [...t.Values] })) ?? [],
      ResolvedTargets: { ParameterValues: [...execution.rc.resolved], Truncated: false },
      MaxConcurrency: plan.maxConcurrency,
      MaxErrors: plan.maxErrors,
    };
  }
  if (execution.parent) {
    return {
      TargetParameterName: plan.targetParameterName,
      Targets: [],
      ResolvedTargets: { ParameterValues: [], Truncated: false },
      Target: execution.target,
    };
  }
  return { Targets: [], ResolvedTargets: { ParameterValues: [], Truncated: false } };
}

/** The document's declared outputs, from the steps that produced them. */
function outputsOf(execution: Execution): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  if (execution.rc || !execution.steps) return result;
  const steps = execution.plan.model.steps;
  for (const output of execution.plan.model.outputs) {
    const dot = output.indexOf('.');
    const stepName = output.slice(0, dot);
    const key = output.slice(dot + 1);
    const run = execution.steps.find((r) => steps[r.index]?.name === stepName);
    const value = run ? stepOutputs(run)?.[key] : undefined;
    if (value) result[output] = [...value];
  }
  return result;
}

/** The step running now (for CurrentStepName / CurrentAction), if any. */
export function currentStep(execution: Execution): { readonly name: string; readonly action: string } | undefined {
  if (execution.status !== 'InProgress') return undefined;
  const run = execution.steps?.at(-1);
  if (run?.status !== 'InProgress') return undefined;
  const declaration = execution.plan.model.steps[run.index];
  return declaration ? { name: declaration.name, action: declaration.action } : undefined;
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

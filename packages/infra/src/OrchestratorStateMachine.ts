import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/**
 * The error names the step Lambda throws that are worth trying again (packages/orchestrator's
 * errors.ts): AWS throttled or failed transiently, and a conditional write of the run store lost a
 * race with another shard's step. Every step is idempotent, so a retry starts nothing twice.
 */
const RETRIED_STEP_ERRORS = {
  transient: 'TransientStepError',
  storeConflict: 'RunStoreConflictError',
} as const;

/** Lambda's own service errors, as Step Functions names them for a Lambda task. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];

/** How many shard (or plan-group) steps of one fan-out run at once. */
const SHARD_CONCURRENCY = 20;

/** Props of {@link OrchestratorStateMachine}. */
export interface OrchestratorStateMachineProps {
  /** The step Lambda (packages/orchestrator's stepHandler): every Task invokes it with a step's input. */
  readonly stepFunction: IFunction;
  /** Retention of the state machine's log group. */
  readonly logRetention: RetentionDays;
  /**
   * Shard steps of one fan-out in flight at once (a Distributed Map's MaxConcurrency).
   * @default SHARD_CONCURRENCY (20)
   */
  readonly shardConcurrency?: number;
  /**
   * Where the run's summary goes when it ends: a custom notification of Amazon Q Developer in chat
   * applications (AWS Chatbot), which a chat channel subscribed to the topic posts as it is.
   * @default - no summary is published
   */
  readonly summaryTopic?: ITopic;
}

/**
 * The Step Functions engine of a run: a STANDARD state machine over the shard-sized steps of
 * packages/orchestrator (steps/contract.ts), its input the blog payload unchanged.
 *
 *     Begin ─► DecideNext ─► WhatNext (a Choice on $.action)
 *                        plan:   Plan groups (Distributed Map)  ─► DecideNext
 *                        start:  Start shards (Distributed Map) ─► DecideNext
 *                        wait:   Wait $.seconds ─► Poll shards (Distributed Map) ─► DecideNextAfterPoll
 *                        finish: Settle shards (Distributed Map) ─► Finish ─► Succeed
 *
 * Every state carries small JSON (the run id and the last decision: lists of shard numbers); the
 * fan-outs discard their results, as the steps store everything. The fan-outs are Distributed Maps:
 * each shard step is a child execution with its own history, so a poll round adds a fixed handful of
 * events to this execution's history however many shards the run has (an inline Map would add
 * several per shard per round and meet the 25,000-event quota within a day at 10,000 accounts).
 *
 * Waves are gates in the definition: `next` answers `start` for a wave only once the one before it
 * ended within its threshold, and never for a dry run. Every Task retries Lambda's service errors,
 * transient AWS errors and run-store races with backoff and jitter. An error that remains is caught:
 * before anything is recorded (an invalid payload, another run holding the Organization, a resumed
 * run with another request) it fails the execution as `RunRefused` with the step's error and cause
 * (the field named); after that as `RunStopped`, leaving the run recorded and its lease held, so no
 * second run patches the Organization while executions may still run. Redrive the execution
 * (RedriveExecution) to continue it from the failed step: every step is idempotent.
 */
export class OrchestratorStateMachine extends Construct {
  /** The state machine the maintenance window's starter starts. */
  readonly stateMachine: StateMachine;
  /** Its log group (errors and state transitions without execution data). */
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OrchestratorStateMachineProps) {
    super(scope, id);
    const concurrency = props.shardConcurrency ?? SHARD_CONCURRENCY;

    // Nothing was recorded, started or leased: the payload (or the Organization, or the store) refused the run.
    const refused = new Fail(this, 'RunRefused', {
      comment:
        'begin failed: nothing was started (begin starts no automation). The error names the cause; for a payload, the field.',
      errorPath: JsonPath.stringAt('$.Error'),
      causePath: JsonPath.stringAt('$.Cause'),
    });
    // The run is recorded and holds its lease: a person looks, then redrives the execution.
    const stopped = new Fail(this, 'RunStopped', {
      comment:
        'A step failed after its retries: the run stays recorded and keeps its lease. Fix the cause and redrive this execution.',
      errorPath: JsonPath.stringAt('$.Error'),
      causePath: JsonPath.stringAt('$.Cause'),
    });

    const step = (stepId: string, payload: TaskInput | undefined, catchTo: Fail, options: StepTaskOptions = {}) => {
      const task = new LambdaInvoke(this, stepId, {
        lambdaFunction: props.stepFunction,
        // Without a payload the task passes its input on as it is.
        ...(payload ? { payload } : {}),
        // The task's output is the step's own small JSON, not the Invoke API's envelope.
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        // The step Lambda's own timeout is 15 minutes; a task still waiting after that has lost it.
        taskTimeout: Timeout.duration(Duration.minutes(16)),
        ...(options.resultSelector ? { resultSelector: options.resultSelector } : {}),
      });
      task.addRetry({
        errors: LAMBDA_SERVICE_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });
      task.addRetry({
        errors: [RETRIED_STEP_ERRORS.transient],
        interval: Duration.seconds(5),
        maxAttempts: 8,
        backoffRate: 2,
        maxDelay: Duration.minutes(5),
        jitterStrategy: JitterType.FULL,
      });
      task.addRetry({
        errors: [RETRIED_STEP_ERRORS.storeConflict],
        interval: Duration.seconds(1),
        maxAttempts: 10,
        backoffRate: 2,
        maxDelay: Duration.seconds(30),
        jitterStrategy: JitterType.FULL,
      });
      // A step that ran out of time is tried once more (it is idempotent, and resumes what it did).
      task.addRetry({ errors: ['Sandbox.Timedout', 'States.Timeout'], interval: Duration.seconds(10), maxAttempts: 1 });
      task.addCatch(catchTo, { errors: ['States.ALL'] });
      return task;
    };

    /** A fan-out over `itemsPath` (shard or group numbers), one child execution per item, results discarded. */
    const fanOut = (mapId: string, itemsPath: string, item: Record<string, unknown>, taskId: string) => {
      const map = new DistributedMap(this, mapId, {
        itemsPath: JsonPath.stringAt(itemsPath),
        itemSelector: item,
        maxConcurrency: concurrency,
        mapExecutionType: StateMachineType.STANDARD,
        toleratedFailurePercentage: 0,
        resultPath: JsonPath.DISCARD,
      });
      // Inside a child execution: its own Fail, so the child's error and cause reach the Map's Catch.
      const shardFailed = new Fail(this, `${taskId}Failed`, {
        errorPath: JsonPath.stringAt('$.Error'),
        causePath: JsonPath.stringAt('$.Cause'),
      });
      // The item selector builds the step's whole input, which the task passes on as it is.
      map.itemProcessor(step(taskId, undefined, shardFailed));
      map.addCatch(stopped, { errors: ['States.ALL'] });
      return map;
    };

    const begin = step(
      'Begin',
      TaskInput.fromObject({ step: 'begin', payload: JsonPath.entirePayload }),
      refused,
      // The state from here on: the run id alone (the payload is in the run store), and whether it was skipped.
      { resultSelector: { runId: JsonPath.stringAt('$.runId'), skipped: JsonPath.stringAt('$.skipped') } },
    );
    const nextFresh = step(
      'DecideNext',
      TaskInput.fromObject({ step: 'next', runId: JsonPath.stringAt('$.runId') }),
      stopped,
    );
    const nextAfterPoll = step(
      'DecideNextAfterPoll',
      // What the last `next` answered with `wait`: the rounds without news and the revision they were counted at.
      TaskInput.fromObject({
        step: 'next',
        runId: JsonPath.stringAt('$.runId'),
        quietRounds: JsonPath.numberAt('$.quietRounds'),
        revision: JsonPath.numberAt('$.revision'),
      }),
      stopped,
    );

    const planGroups = fanOut(
      'PlanGroups',
      '$.groups',
      { step: 'plan', runId: JsonPath.stringAt('$.runId'), group: JsonPath.numberAt('$$.Map.Item.Value') },
      'Plan',
    );
    const startShards = fanOut(
      'StartShards',
      '$.shards',
      {
        step: 'start',
        runId: JsonPath.stringAt('$.runId'),
        wave: JsonPath.stringAt('$.wave'),
        shard: JsonPath.numberAt('$$.Map.Item.Value'),
      },
      'Start',
    );
    const pollShards = fanOut(
      'PollShards',
      '$.shards',
      { step: 'poll', runId: JsonPath.stringAt('$.runId'), shard: JsonPath.numberAt('$$.Map.Item.Value') },
      'Poll',
    );
    const settleShards = fanOut(
      'SettleShards',
      '$.shards',
      { step: 'settle', runId: JsonPath.stringAt('$.runId'), shard: JsonPath.numberAt('$$.Map.Item.Value') },
      'Settle',
    );
    const wait = new Wait(this, 'WaitBeforePolling', { time: WaitTime.secondsPath('$.seconds') });
    const finish = step(
      'Finish',
      TaskInput.fromObject({ step: 'finish', runId: JsonPath.stringAt('$.runId') }),
      stopped,
      {
        resultSelector: {
          runId: JsonPath.stringAt('$.runId'),
          status: JsonPath.stringAt('$.status'),
          notification: JsonPath.stringAt('$.notification'),
        },
      },
    );
    const done = new Succeed(this, 'RunFinished', {
      comment: 'The run ended (its status is in the output) and released its lease.',
    });
    const unknownAction = new Fail(this, 'UnknownAction', {
      error: 'UnknownNextAction',
      cause:
        'The next step answered an action this state machine does not know: deploy the state machine and the step Lambda together.',
    });

    const decide = new Choice(this, 'WhatNext')
      .when(Condition.stringEquals('$.action', 'plan'), planGroups)
      .when(Condition.stringEquals('$.action', 'start'), startShards)
      .when(Condition.stringEquals('$.action', 'wait'), wait)
      .when(Condition.stringEquals('$.action', 'finish'), settleShards)
      .otherwise(unknownAction);
    // A window's invocation on a day that is not its Patch Tuesday go-day ends here: begin read and
    // started nothing, and left a skip note.
    const notPatchDay = new Succeed(this, 'NotThePatchDay', {
      comment: 'Not the Patch Tuesday go-day: nothing was read or started (the skip note says why).',
    });
    // Not(IsNull: true) rather than IsNull: false: the same rule, in the form every interpreter reads alike.
    begin.next(
      new Choice(this, 'PatchDay').when(Condition.not(Condition.isNull('$.skipped')), notPatchDay).otherwise(nextFresh),
    );
    nextFresh.next(decide);
    nextAfterPoll.next(decide);
    planGroups.next(nextFresh);
    startShards.next(nextFresh);
    wait.next(pollShards);
    pollShards.next(nextAfterPoll);
    settleShards.next(finish);
    if (props.summaryTopic !== undefined) {
      // The summary is a message, not the run: a run that ended stays ended if it cannot be sent.
      const unsent = new Succeed(this, 'RunFinishedSummaryNotSent', {
        comment:
          'The run ended and released its lease; its summary could not be published (see the execution history).',
      });
      const publish = new SnsPublish(this, 'PublishSummary', {
        topic: props.summaryTopic,
        // The JSON text finish made: published as it is, which chat posts.
        message: TaskInput.fromJsonPathAt('$.notification'),
        resultPath: JsonPath.DISCARD,
      });
      publish.addRetry({
        errors: [
          'SNS.ThrottledException',
          'SNS.InternalErrorException',
          'SNS.KMSThrottlingException',
          'States.Timeout',
        ],
        interval: Duration.seconds(2),
        maxAttempts: 5,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });
      publish.addCatch(unsent, { errors: ['States.ALL'], resultPath: '$.summaryError' });
      finish.next(publish);
      publish.next(done);
    } else {
      finish.next(done);
    }

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'orgpatch: one patch run, shard by shard (started by the maintenance window)',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(begin),
      // Every event, without execution data: inputs and outputs (payloads, ARNs) stay out of the logs.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.acknowledgeFindings(props.stepFunction);
    if (props.summaryTopic !== undefined) {
      // sns:Publish on the topic, and its key's kms:GenerateDataKey* and kms:Decrypt (the topic is encrypted).
      props.summaryTopic.grantPublish(this.stateMachine);
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "aws-cdk-lib's Topic.grantPublish grants kms:GenerateDataKey* (GenerateDataKey and its WithoutPlaintext/Pair forms) so SNS can encrypt the summary; the resource is the topic's key alone.",
      });
    }
  }

  private acknowledgeFindings(stepFunction: IFunction): void {
    const stack = Stack.of(this);
    const fnLogicalId = stack.resolve(stack.getLogicalId(stepFunction.node.defaultChild as never)) as string;
    const machineLogicalId = stack.resolve(stack.getLogicalId(this.stateMachine.node.defaultChild as never)) as string;
    // How cdk-nag spells the execution ARNs aws-cdk-lib grants for the Distributed Maps.
    const shown = (value: string) => (Token.isUnresolved(value) ? `<${stack.resolve(value).Ref}>` : value);
    const name = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: machineLogicalId }] }] });
    const executions = `arn:<AWS::Partition>:states:${shown(stack.region)}:${shown(stack.account)}:execution:${name}`;
    const childReason =
      'A Distributed Map runs each shard step as a child execution of this state machine: aws-cdk-lib grants DescribeExecution and StopExecution (and RedriveExecution) on its executions, whose names Step Functions makes at run time, so the name is "*"; the state machine is this one.';
    Validations.of(this.stateMachine).acknowledge(
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${executions}:*]`, reason: childReason },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${executions}/*:*]`, reason: childReason },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
        reason:
          "aws-cdk-lib's LambdaInvoke grants lambda:InvokeFunction on the step function and its versions and aliases (`:*`); the resource is that one function, and the definition invokes it unqualified.",
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery (CreateLogDelivery and the other *LogDelivery actions, DescribeResourcePolicies, DescribeLogGroups) define no resource type: IAM accepts only "*" for them.',
      },
    );
  }
}

interface StepTaskOptions {
  readonly resultSelector?: Record<string, unknown>;
}

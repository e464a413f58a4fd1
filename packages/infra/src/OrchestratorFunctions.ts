import { EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { resolveOrchestratorEntries } from './orchestratorEntries.js';

/** The key prefix of run records in the run bucket (S3RunStore's default). */
const RUN_RECORD_PREFIX = 'runs/';

/**
 * Every key prefix the run store uses: run records and reports, the index of runs in progress and
 * the scope leases, side by side in the run bucket.
 */
const RUN_STORE_PREFIXES = [RUN_RECORD_PREFIX, 'in-progress/', 'leases/'] as const;

/** The bundling every orchestrator function shares (exported for the bundle test and for consumers). */
function orchestratorBundling(fromSource: boolean): BundlingOptions {
  return {
    // Bundled with the esbuild in node_modules, never in Docker.
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    // Prefer the ESM builds of dependencies; fall back to CommonJS ones.
    mainFields: ['module', 'main'],
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner:
      "import { createRequire as __orgpatchCreateRequire } from 'node:module'; const require = __orgpatchCreateRequire(import.meta.url);",
    // Bundle the SDK clients at the versions the orchestrator is tested with, instead of whichever
    // SDK the Lambda runtime happens to carry.
    bundleAwsSDK: true,
    externalModules: [],
    minify: true,
    keepNames: true,
    sourceMap: false,
    target: 'node24',
    // In a workspace checkout the @orgpatch packages are resolved to their TypeScript sources.
    ...(fromSource ? { esbuildArgs: { '--conditions': '@orgpatch/source' } } : {}),
    logLevel: LogLevel.ERROR,
  };
}

/** Props of {@link OrchestratorFunctions}. */
export interface OrchestratorFunctionsProps {
  /** The Organization whose accounts the orchestrator may enter. */
  readonly organizationId: string;
  /** Run records and reports go here. */
  readonly runBucket: IBucket;
  /** How often the tracker looks at runs in progress. */
  readonly trackingInterval: Duration;
  /** Retention of both log groups. */
  readonly logRetention: RetentionDays;
}

/**
 * The orchestrator's two functions (the maintenance-window run handler and the tracker) and the
 * one role they share — the role every member account's execution role trusts.
 *
 * Sizing, from `npm run bench` (bench/): the run handler's fan-out is CPU-bound inside the AWS
 * SDK (about 1.2 ms of CPU per call: signing, middleware, sockets) and holds the whole run record;
 * at 5,000 accounts x 16 Regions it peaked at 1,069 MB RSS and needed 232 s on one core. 2,048 MB
 * gives it a full vCPU (Lambda allots one at 1,769 MB) and room above that peak, for cents a week.
 * Its timeout is the Lambda maximum, 15 minutes: the maintenance window invokes it once per run.
 * The tracker describes executions of runs in progress and parses and rewrites their records
 * (75 MB of JSON at 5,000 accounts): 1,024 MB, 4 minutes, so a slow invocation ends before the
 * next 5-minute tick starts another. It runs one at a time (reserved concurrency 1), and a tick
 * that never completes ends in {@link OrchestratorFunctions.trackDeadLetterQueue}.
 */
export class OrchestratorFunctions extends Construct {
  /** The role both functions run as. */
  readonly role: Role;
  /** Started by the maintenance window with the task payload. */
  readonly runFunction: NodejsFunction;
  /** Started on a schedule; follows runs in progress. */
  readonly trackFunction: NodejsFunction;
  /** Log group of {@link runFunction}. */
  readonly runLogGroup: LogGroup;
  /** Log group of {@link trackFunction}. */
  readonly trackLogGroup: LogGroup;
  /** The schedule invoking {@link trackFunction}. */
  readonly trackingRule: Rule;
  /** Where tracker invocations that never complete end up (from the schedule and from Lambda). */
  readonly trackDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: OrchestratorFunctionsProps) {
    super(scope, id);
    const entries = resolveOrchestratorEntries();

    this.role = new Role(this, 'Role', {
      description:
        'orgpatch orchestrator: lists the Organization, assumes OrgPatchExecutionRole in its accounts, writes run records',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DescribeTheOrganization',
        actions: ['organizations:DescribeOrganization'],
        // DescribeOrganization has no resource type: IAM accepts only "*".
        resources: ['*'],
      }),
    );
    const orgArn = (type: string, suffix: string) =>
      `arn:${Aws.PARTITION}:organizations::*:${type}/${props.organizationId}/${suffix}`;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WalkTheOrganization',
        actions: [
          'organizations:ListAccountsForParent',
          'organizations:ListOrganizationalUnitsForParent',
          'organizations:ListParents',
          'organizations:DescribeAccount',
        ],
        resources: [orgArn('root', 'r-*'), orgArn('ou', 'ou-*'), orgArn('account', '*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeTheMemberExecutionRole',
        effect: Effect.ALLOW,
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${EXECUTION_ROLE_NAME}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
      }),
    );
    // The run store (S3RunStore) lists and reads its prefixes, writes records, reports and index
    // markers, and deletes markers and leases when a run ends. Its conditional requests need no
    // permission of their own: PutObject with If-None-Match or If-Match needs s3:PutObject, and
    // DeleteObject with If-Match needs s3:DeleteObject. A report over 8 MiB is a multipart upload
    // (CreateMultipartUpload, UploadPart and CompleteMultipartUpload are authorized as s3:PutObject);
    // s3:AbortMultipartUpload lets the store remove the parts of one that failed. Written out rather than with grantRead or
    // grantReadWrite, which add bucket-level reads and object legal-hold, retention and tagging
    // writes the store never makes.
    // The bucket policy denies these writes to everyone but this role (RunRecordBucket).
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListRunRecords',
        actions: ['s3:ListBucket'],
        resources: [props.runBucket.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadAndWriteRunRecords',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: RUN_STORE_PREFIXES.map((prefix) => props.runBucket.arnForObjects(`${prefix}*`)),
      }),
    );

    const environment = {
      ORGPATCH_RUN_BUCKET: props.runBucket.bucketName,
      POWERTOOLS_SERVICE_NAME: 'orgpatch',
      POWERTOOLS_METRICS_NAMESPACE: 'OrgPatch',
    };
    const common = {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      role: this.role,
      projectRoot: entries.projectRoot,
      depsLockFilePath: entries.depsLockFilePath,
      handler: 'handler',
      loggingFormat: LoggingFormat.JSON,
      bundling: orchestratorBundling(entries.fromSource),
    };

    this.runLogGroup = new LogGroup(this, 'RunLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.runFunction = new NodejsFunction(this, 'Run', {
      ...common,
      description: 'orgpatch: plans and starts a patch run (invoked by the maintenance window)',
      entry: entries.runHandler,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logGroup: this.runLogGroup,
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'orgpatch-run' },
      // The maintenance window invokes it synchronously, so these apply only to an asynchronous
      // invocation someone makes by hand: Lambda would otherwise retry a failed run twice and keep
      // a throttled one for up to 6 hours, starting patching nobody is waiting for.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });

    this.trackLogGroup = new LogGroup(this, 'TrackLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Invocations of the tracker that never complete land here: ticks EventBridge could not hand to
    // Lambda, and ticks Lambda dropped (a failed invocation, or one still throttled when it grew
    // older than a tracking interval). SQS-managed encryption: the messages are schedule events
    // (ids and times), and a customer managed key would need a key-policy grant to EventBridge.
    // Kept 14 days (the SQS maximum) so a holiday does not erase the evidence.
    this.trackDeadLetterQueue = new Queue(this, 'TrackDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // A tick that waits longer than one interval is superseded by the next tick, so no event may
    // outlive an interval (Lambda takes 1 minute to 6 hours), and a failed one is not retried: the
    // next tick reads the run store afresh and redoes the work. Reserved concurrency 1: two trackers
    // never rewrite the same run record at once; a tick that finds one running is throttled,
    // waits in Lambda's queue up to that age, then goes to the dead-letter queue.
    const tickAge = Duration.seconds(
      Math.min(Math.max(props.trackingInterval.toSeconds(), 60), Duration.hours(6).toSeconds()),
    );
    this.trackFunction = new NodejsFunction(this, 'Track', {
      ...common,
      description: 'orgpatch: follows runs in progress and writes their reports (invoked on a schedule)',
      entry: entries.trackHandler,
      memorySize: 1024,
      timeout: Duration.minutes(4),
      logGroup: this.trackLogGroup,
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'orgpatch-track' },
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      maxEventAge: tickAge,
      deadLetterQueue: this.trackDeadLetterQueue,
    });

    this.runLogGroup.grantWrite(this.role);
    this.trackLogGroup.grantWrite(this.role);

    // EventBridge invokes the tracker asynchronously, so its retries cover only handing the event to
    // Lambda (throttled or failed Invoke calls), never a run of the function: two retries within one
    // interval ride out a transient Lambda error, and reserved concurrency keeps them from
    // overlapping a running tracker. What EventBridge gives up on goes to the dead-letter queue
    // (the queue policy admits this rule only).
    this.trackingRule = new Rule(this, 'TrackSchedule', {
      description: 'Invokes the orgpatch tracker; it returns at once when no run is in progress',
      schedule: Schedule.rate(props.trackingInterval),
      targets: [
        new LambdaFunction(this.trackFunction, {
          retryAttempts: 2,
          maxEventAge: tickAge,
          deadLetterQueue: this.trackDeadLetterQueue,
        }),
      ],
    });

    const bucketLogicalId = Stack.of(this).resolve(
      Stack.of(this).getLogicalId(props.runBucket.node.defaultChild as CfnElement),
    ) as string;
    const organizationsReason = (kind: string) =>
      `Organizations ${kind} ARNs carry the management account id, which a delegated administrator does not know at synth time ("*"); the Organization id is fixed, so only this Organization's ${kind}s match. The actions are read-only (List*/Describe*) and are what discovery calls.`;
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only organizations:DescribeOrganization takes "*": the Service Authorization Reference defines no resource type for it. It is read-only and returns the caller\'s own Organization.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:root/${props.organizationId}/r-*]`,
        reason: organizationsReason('root'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:ou/${props.organizationId}/ou-*]`,
        reason: organizationsReason('OU'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:account/${props.organizationId}/*]`,
        reason: organizationsReason('account'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${EXECUTION_ROLE_NAME}]`,
        reason: `The orchestrator enters every account of the target OUs, and accounts join the OUs after deployment, so the account is "*"; the role name is fixed (${EXECUTION_ROLE_NAME}, trusted only by this role) and aws:ResourceOrgID limits it to roles in this Organization.`,
      },
      ...RUN_STORE_PREFIXES.map((prefix) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
        reason: `Run ids and lease scopes are made at run time, so the run store's keys cannot be named in advance; the grant is GetObject, PutObject and DeleteObject under ${prefix} of this one bucket, whose policy denies those writes to every other principal.`,
      })),
    );
  }
}

import { EXECUTION_ROLE_NAME } from '@orgpatch/core';
import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  LogLevel,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
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
  /** Retention of both log groups. */
  readonly logRetention: RetentionDays;
}

/**
 * The orchestrator's two functions on the Step Functions engine: the step function, which runs
 * every step of a run for the state machine (as the role every member account's execution role
 * trusts), and the starter the maintenance window invokes, which validates the payload and starts
 * the state machine (as a role of its own that may do nothing else).
 *
 * Sizing: a step's work is bounded by its shard (100 accounts, every Region), not the Organization.
 * Its fan-out is CPU-bound inside the AWS SDK (about 1 ms of CPU per call, `npm run bench`), so the
 * step function keeps 2,048 MB (Lambda allots a full vCPU at 1,769 MB) and the Lambda maximum of
 * 15 minutes for a plan group in slow Regions. The starter makes one call: 256 MB, 30 seconds.
 *
 * There is no tracker schedule: the state machine waits and polls. Runs started by the earlier
 * single-Lambda path (handler.ts and its 5-minute tracker) must have ended before this is deployed,
 * or be finished from the CLI (`orgpatch run <payload> --run-id <id> --store s3://<bucket> --wait`).
 */
export class OrchestratorFunctions extends Construct {
  /** The role the step function runs as (trusted by every member account's execution role). */
  readonly role: Role;
  /** Runs one step of a run (invoked by the state machine). */
  readonly stepFunction: NodejsFunction;
  /** Validates the payload and starts the state machine (invoked by the maintenance window). */
  readonly startFunction: NodejsFunction;
  /** The role the starter runs as: it may start the state machine and write its logs, nothing else. */
  readonly startRole: Role;
  /** Log group of {@link stepFunction}. */
  readonly stepLogGroup: LogGroup;
  /** Log group of {@link startFunction}. */
  readonly startLogGroup: LogGroup;

  private readonly entries: ReturnType<typeof resolveOrchestratorEntries>;
  private readonly common: Omit<NodejsFunctionProps, 'entry'> & { environment: Record<string, string> };
  private readonly logRetention: RetentionDays;

  /**
   * The scheduled compliance snapshot's function (OrgPatching's `complianceSchedule`): it reads patch
   * states through the member execution roles, as a run does, with the orchestrator's role, and
   * stores the snapshot beside the runs. Made on first call.
   */
  complianceFunction(): NodejsFunction {
    const existing = this.node.tryFindChild('Compliance');
    if (existing instanceof NodejsFunction) return existing;
    const logGroup = new LogGroup(this, 'ComplianceLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const fn = new NodejsFunction(this, 'Compliance', {
      ...this.common,
      role: this.role,
      description: 'orgpatch: takes a scheduled Organization-wide patch compliance snapshot (starts nothing)',
      entry: this.entries.complianceHandler,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logGroup,
      environment: { ...this.common.environment, POWERTOOLS_SERVICE_NAME: 'orgpatch-compliance' },
    });
    logGroup.grantWrite(this.role);
    return fn;
  }

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
    // The waves' health gates (Alarms in the payload): DescribeAlarms of metric and composite alarms.
    // "To use this operation and return information about composite alarms, you must be signed on
    // with the cloudwatch:DescribeAlarms permission that is scoped to *" (DescribeAlarms, CloudWatch
    // API Reference), so no narrower resource; it reads alarm states, nothing more.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadHealthGateAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: ['*'],
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
      projectRoot: entries.projectRoot,
      depsLockFilePath: entries.depsLockFilePath,
      handler: 'handler',
      loggingFormat: LoggingFormat.JSON,
      bundling: orchestratorBundling(entries.fromSource),
      // Step Functions invokes both synchronously (the state machine, the maintenance window): an
      // asynchronous invocation someone makes by hand is not retried or kept.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    };

    this.stepLogGroup = new LogGroup(this, 'StepLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stepFunction = new NodejsFunction(this, 'Step', {
      ...common,
      role: this.role,
      description: 'orgpatch: runs one step of a patch run (invoked by the orchestrator state machine)',
      entry: entries.stepHandler,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logGroup: this.stepLogGroup,
      environment: { ...environment, POWERTOOLS_SERVICE_NAME: 'orgpatch-step' },
    });
    this.stepLogGroup.grantWrite(this.role);

    this.startRole = new Role(this, 'StartRole', {
      description: 'orgpatch starter: starts the orchestrator state machine for a maintenance-window task',
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    this.startLogGroup = new LogGroup(this, 'StartLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.startFunction = new NodejsFunction(this, 'Start', {
      ...common,
      role: this.startRole,
      description: 'orgpatch: validates the payload and starts a patch run (invoked by the maintenance window)',
      entry: entries.startHandler,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup: this.startLogGroup,
      environment: { POWERTOOLS_SERVICE_NAME: 'orgpatch-start' },
    });
    this.startLogGroup.grantWrite(this.startRole);
    this.entries = entries;
    this.common = { ...common, environment };
    this.logRetention = props.logRetention;

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

import {
  AUTOMATION_DOCUMENT_NAME,
  type Operation,
  type RebootOption,
  SNAPSHOT_TAG_KEYS,
  TARGET_PARAMETER_NAME,
} from '@orgpatch/core';
import { deepFreeze } from './deepFreeze.js';

/**
 * The content of the orgpatch automation document (schemaVersion 0.3) as a plain value: the
 * construct deploys exactly {@link orgPatchRunbookContent}, and the sandbox installs the same object
 * without synthesizing anything. Pure: no aws-cdk-lib here.
 */

/** The SSM Command document the automation runs on each instance. */
export const RUN_PATCH_BASELINE_DOCUMENT_NAME = 'AWS-RunPatchBaseline';

/** The name of the document's only step. Its outputs are `${AUTOMATION_STEP_NAME}.CommandId` etc. */
export const AUTOMATION_STEP_NAME = 'runPatchBaseline';

/**
 * The document's outputs, as `GetAutomationExecution` reports them in `Outputs` for each child
 * execution: the Run Command id, its status and the exit code on the instance.
 */
export const AUTOMATION_DOCUMENT_OUTPUTS = [
  `${AUTOMATION_STEP_NAME}.CommandId`,
  `${AUTOMATION_STEP_NAME}.Status`,
  `${AUTOMATION_STEP_NAME}.ResponseCode`,
] as const;

/**
 * How long AWS-RunPatchBaseline itself may run on a node once delivered: its execution timeout, two
 * hours. Run Command ends a longer run as `Execution Timed Out`.
 */
export const RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS = 7200;

/**
 * How long Run Command waits for SSM Agent to pick the command up (the step's `TimeoutSeconds`
 * input, SendCommand's: "If this time is reached and the command hasn't already started running, it
 * won't run"). Ten minutes rather than SendCommand's default hour: a stopped or disconnected node
 * never starts an Install late in the maintenance window.
 */
export const COMMAND_DELIVERY_TIMEOUT_SECONDS = 600;

/** Time past Run Command's own total timeout for the step to read the command's final status. */
const STEP_TIMEOUT_MARGIN_SECONDS = 300;

/**
 * How long the step may run, delivery included (the step's `timeoutSeconds` covers the whole
 * aws:runCommand: sending, delivery and the run). It must outlast Run Command's total timeout, the
 * delivery timeout plus the document's execution timeout ("Understanding command timeout values",
 * Systems Manager User Guide), so that an Install delivered late still has its two hours and the
 * step reports what Run Command decided (`Delivery Timed Out`, `Execution Timed Out`, the exit
 * code) instead of timing out while the command still runs on the node: 600 + 7,200 + 300 =
 * 8,100 s. A hung node still fails the step rather than holding a MaxConcurrency slot forever.
 */
export const AUTOMATION_STEP_TIMEOUT_SECONDS =
  COMMAND_DELIVERY_TIMEOUT_SECONDS + RUN_PATCH_BASELINE_EXECUTION_TIMEOUT_SECONDS + STEP_TIMEOUT_MARGIN_SECONDS;

/**
 * The document's TargetType: the resource types SSM Automation resolves a tag target to. Without it
 * "all resources with the same tag will be targeted" (Systems Manager User Guide, "Mapping targets
 * for an automation": a custom runbook "must specify the Target type as /AWS::EC2::Instance to
 * ensure only instances are used"), so a `tag:` target would start a child automation, bound to
 * fail, on every tagged volume, security group or network interface.
 */
export const AUTOMATION_DOCUMENT_TARGET_TYPE = '/AWS::EC2::Instance';

/** The document's parameters, by name. `InstanceIds` is the rate-control target parameter. */
export const AUTOMATION_DOCUMENT_PARAMETER_NAMES = {
  AutomationAssumeRole: 'AutomationAssumeRole',
  InstanceIds: TARGET_PARAMETER_NAME,
  Operation: 'Operation',
  RebootOption: 'RebootOption',
  SnapshotId: 'SnapshotId',
  InstallOverrideList: 'InstallOverrideList',
  PrePatchSnapshot: 'PrePatchSnapshot',
  RunId: 'RunId',
} as const;

/** The steps that take the pre-patch snapshots, by name (in document order, after the branch). */
export const SNAPSHOT_STEP_NAMES = {
  branch: 'snapshotBeforePatching',
  resolveInstance: 'resolveInstance',
  create: 'createSnapshots',
  wait: 'waitForSnapshots',
} as const;

/**
 * How long the automation waits for the snapshots to complete before it fails the instance (and
 * patches nothing on it): an hour, aws:waitForAwsResourceProperty's own default. A first snapshot
 * of a large volume may take longer; the run's MaxErrors then decides.
 */
export const SNAPSHOT_WAIT_TIMEOUT_SECONDS = 3600;

/** AWS-RunPatchBaseline's `Operation` values. */
export const OPERATION_VALUES = ['Scan', 'Install'] as const satisfies readonly Operation[];

/** AWS-RunPatchBaseline's `RebootOption` values. */
export const REBOOT_OPTION_VALUES = ['RebootIfNeeded', 'NoReboot'] as const satisfies readonly RebootOption[];

/** AWS-RunPatchBaseline's `SnapshotId` pattern: empty, or a GUID. */
const SNAPSHOT_ID_PATTERN = '(^$)|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A run id as the orchestrator writes it (a file and S3 key segment), or empty when no snapshot is taken. */
const RUN_ID_PATTERN = '^[A-Za-z0-9_.-]{0,128}$';

/** AWS-RunPatchBaseline's `InstallOverrideList` pattern: empty, an https URL or an S3 path-style URL. */
const INSTALL_OVERRIDE_LIST_PATTERN = '(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$';

/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov, ...). */
const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$';

/** One parameter of the automation document. */
export type RunbookParameter = {
  readonly type: 'String' | 'StringList';
  readonly description: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
  readonly default?: string;
};

/** An output of an aws:executeAwsApi step: a JSONPath into the API's response. */
type RunbookStepOutput = { readonly Name: string; readonly Selector: string; readonly Type: 'String' | 'StringList' };

/** One step of the automation document (`mainSteps`). */
export type RunbookStep = {
  readonly name: string;
  readonly action: string;
  readonly description: string;
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly onFailure?: string;
  readonly isEnd?: boolean;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs?: readonly RunbookStepOutput[];
};

/** The automation document's content (schemaVersion 0.3), as SSM's CreateDocument takes it in JSON. */
export type RunbookContent = {
  readonly schemaVersion: '0.3';
  readonly description: string;
  readonly assumeRole: string;
  readonly parameters: Readonly<Record<string, RunbookParameter>>;
  readonly mainSteps: readonly RunbookStep[];
  readonly outputs: readonly string[];
};

function ref(parameterName: string): string {
  return `{{ ${parameterName} }}`;
}

function buildRunbookContent(): RunbookContent {
  const p = AUTOMATION_DOCUMENT_PARAMETER_NAMES;
  return {
    schemaVersion: '0.3',
    description: `orgpatch: runs ${RUN_PATCH_BASELINE_DOCUMENT_NAME} on one managed node through Run Command. Started by the orgpatch orchestrator with rate control (TargetParameterName ${TARGET_PARAMETER_NAME}, resource-group Targets), one child execution per node. Document ${AUTOMATION_DOCUMENT_NAME}.`,
    assumeRole: ref(p.AutomationAssumeRole),
    parameters: {
      [p.AutomationAssumeRole]: {
        type: 'String',
        description:
          '(Required) ARN of the role Automation assumes: the member account OrgPatchAutomationRole, or another role the caller may pass to ssm.amazonaws.com.',
        allowedPattern: ROLE_ARN_PATTERN,
      },
      [p.InstanceIds]: {
        type: 'StringList',
        description:
          '(Required) The managed node to patch. Rate control fills it with one node ID (i-... or mi-...) per child execution.',
      },
      [p.Operation]: {
        type: 'String',
        description: `(Optional) ${RUN_PATCH_BASELINE_DOCUMENT_NAME} Operation: Scan reports compliance only; Install installs missing approved patches.`,
        allowedValues: [...OPERATION_VALUES],
        default: 'Scan',
      },
      [p.RebootOption]: {
        type: 'String',
        description: `(Optional) ${RUN_PATCH_BASELINE_DOCUMENT_NAME} RebootOption: RebootIfNeeded reboots after an Install that installed patches; NoReboot never reboots.`,
        allowedValues: [...REBOOT_OPTION_VALUES],
        default: 'RebootIfNeeded',
      },
      [p.SnapshotId]: {
        type: 'String',
        description: `(Optional) ${RUN_PATCH_BASELINE_DOCUMENT_NAME} SnapshotId: one GUID per run so every node of the run is evaluated against the same baseline snapshot.`,
        allowedPattern: SNAPSHOT_ID_PATTERN,
        default: '',
      },
      [p.InstallOverrideList]: {
        type: 'String',
        description: `(Optional) ${RUN_PATCH_BASELINE_DOCUMENT_NAME} InstallOverrideList: an https or s3:// URL of a YAML patch list that overrides the baseline for Install.`,
        allowedPattern: INSTALL_OVERRIDE_LIST_PATTERN,
        default: '',
      },
      [p.PrePatchSnapshot]: {
        type: 'String',
        description:
          '(Optional) true: snapshot every EBS volume of the instance (one crash-consistent CreateSnapshots) and wait for the snapshots to complete before patching; a snapshot that fails fails the instance and nothing is patched on it.',
        allowedValues: ['true', 'false'],
        default: 'false',
      },
      [p.RunId]: {
        type: 'String',
        description: `(Optional) The orgpatch run id, written as the ${SNAPSHOT_TAG_KEYS.RUN_ID} tag of the pre-patch snapshots.`,
        allowedPattern: RUN_ID_PATTERN,
        default: '',
      },
    },
    mainSteps: [
      {
        name: SNAPSHOT_STEP_NAMES.branch,
        action: 'aws:branch',
        description: 'Takes the pre-patch snapshots when PrePatchSnapshot is true; otherwise patches at once.',
        inputs: {
          Choices: [
            { NextStep: SNAPSHOT_STEP_NAMES.resolveInstance, Variable: ref(p.PrePatchSnapshot), StringEquals: 'true' },
          ],
          Default: AUTOMATION_STEP_NAME,
        },
      },
      {
        name: SNAPSHOT_STEP_NAMES.resolveInstance,
        action: 'aws:executeAwsApi',
        // CreateSnapshots takes one InstanceId (a String); the target parameter is a StringList of one.
        description: 'Reads the EC2 instance (a hybrid node has no EBS volumes and fails here).',
        maxAttempts: 1,
        timeoutSeconds: 60,
        onFailure: 'Abort',
        inputs: { Service: 'ec2', Api: 'DescribeInstances', InstanceIds: ref(p.InstanceIds) },
        outputs: [{ Name: 'InstanceId', Selector: '$.Reservations[0].Instances[0].InstanceId', Type: 'String' }],
      },
      {
        name: SNAPSHOT_STEP_NAMES.create,
        action: 'aws:executeAwsApi',
        description:
          'Snapshots every EBS volume of the instance at one point in time (crash-consistent), tagged with the run and the instance.',
        // A retried CreateSnapshots would take a second set: one attempt.
        maxAttempts: 1,
        timeoutSeconds: 120,
        onFailure: 'Abort',
        inputs: {
          Service: 'ec2',
          Api: 'CreateSnapshots',
          InstanceSpecification: { InstanceId: ref(`${SNAPSHOT_STEP_NAMES.resolveInstance}.InstanceId`) },
          Description: `orgpatch pre-patch snapshot, run ${ref(p.RunId)}`,
          CopyTagsFromSource: 'volume',
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: [
                { Key: SNAPSHOT_TAG_KEYS.RUN_ID, Value: ref(p.RunId) },
                { Key: SNAPSHOT_TAG_KEYS.INSTANCE_ID, Value: ref(`${SNAPSHOT_STEP_NAMES.resolveInstance}.InstanceId`) },
              ],
            },
          ],
        },
        outputs: [{ Name: 'SnapshotIds', Selector: '$.Snapshots..SnapshotId', Type: 'StringList' }],
      },
      {
        name: SNAPSHOT_STEP_NAMES.wait,
        action: 'aws:waitForAwsResourceProperty',
        description:
          'Waits until every snapshot is completed; one in error is never completed, and the step times out.',
        maxAttempts: 1,
        timeoutSeconds: SNAPSHOT_WAIT_TIMEOUT_SECONDS,
        onFailure: 'Abort',
        inputs: {
          Service: 'ec2',
          Api: 'DescribeSnapshots',
          SnapshotIds: ref(`${SNAPSHOT_STEP_NAMES.create}.SnapshotIds`),
          PropertySelector: '$.Snapshots..State',
          DesiredValues: ['completed'],
        },
      },
      {
        name: AUTOMATION_STEP_NAME,
        action: 'aws:runCommand',
        description: `Runs ${RUN_PATCH_BASELINE_DOCUMENT_NAME} on the node and waits for it to finish.`,
        // An Install that is retried could reboot a node twice: one attempt, and the run's MaxErrors decides.
        maxAttempts: 1,
        timeoutSeconds: AUTOMATION_STEP_TIMEOUT_SECONDS,
        onFailure: 'Abort',
        isEnd: true,
        inputs: {
          DocumentName: RUN_PATCH_BASELINE_DOCUMENT_NAME,
          InstanceIds: ref(p.InstanceIds),
          TimeoutSeconds: COMMAND_DELIVERY_TIMEOUT_SECONDS,
          Parameters: {
            Operation: ref(p.Operation),
            RebootOption: ref(p.RebootOption),
            SnapshotId: ref(p.SnapshotId),
            InstallOverrideList: ref(p.InstallOverrideList),
          },
        },
      },
    ],
    outputs: [...AUTOMATION_DOCUMENT_OUTPUTS],
  };
}

/**
 * The orgpatch automation document's content, deeply frozen: what the Regional member stack deploys
 * as the `Content` of `OrgPatch-RunPatchBaseline` (a test pins the synthesized template to it), and
 * what the sandbox installs in every simulated Region.
 *
 * @example
 * ```ts
 * import { orgPatchRunbookContent } from '@orgpatch/member-stack/definitions';
 * await ssm.send(new CreateDocumentCommand({ Name: AUTOMATION_DOCUMENT_NAME, DocumentType: 'Automation',
 *   DocumentFormat: 'JSON', Content: JSON.stringify(orgPatchRunbookContent) }));
 * ```
 */
export const orgPatchRunbookContent: RunbookContent = deepFreeze(buildRunbookContent());

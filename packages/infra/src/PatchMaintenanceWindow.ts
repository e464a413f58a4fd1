import { Aws } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnMaintenanceWindow, CfnMaintenanceWindowTask } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** Props of {@link PatchMaintenanceWindow}; values are validated by {@link OrgPatching} before they get here. */
export interface PatchMaintenanceWindowProps {
  /** Window name. */
  readonly name: string;
  /** cron(...), rate(...) or at(...). */
  readonly schedule: string;
  /** IANA time zone of the schedule. */
  readonly timeZone: string;
  /** Hours, 1-24. */
  readonly duration: number;
  /** Hours before the end when no new task starts. */
  readonly cutoff: number;
  /**
   * Days after a cron match (1-6).
   * @default - none
   */
  readonly scheduleOffset?: number;
  /** Recorded as the window's `Owner` tag and in the task description. */
  readonly ownerInformation: string;
  /** The orchestrator Lambda the task invokes. */
  readonly orchestrator: IFunction;
  /** The task payload as JSON text (at most 3,072 bytes, 4,096 Base64-encoded: checked by the caller with core's limit). */
  readonly payload: string;
}

/**
 * The maintenance window (the blog's parameters) and its one target-less Lambda task.
 *
 * The task runs with its own service role, trusted by Systems Manager for this account only and
 * allowed to invoke the orchestrator function alone: the Systems Manager service-linked role
 * (the fallback when no role is given) may invoke only functions whose names start with `SSM`,
 * and AWS recommends a custom role scoped to the task.
 *
 * The task invokes the function synchronously (Systems Manager waits for the result and records it
 * as the task invocation's status), so Lambda's asynchronous retries and dead-letter queues do not
 * apply to it: a failed run is reported by the task status and the function's Errors alarm.
 */
export class PatchMaintenanceWindow extends Construct {
  /** The maintenance window. */
  readonly window: CfnMaintenanceWindow;
  /** Its one Lambda task. */
  readonly task: CfnMaintenanceWindowTask;
  /** The window's ARN (the `aws:SourceArn` Systems Manager presents when it assumes {@link serviceRole}). */
  readonly windowArn: string;
  /** The role Systems Manager assumes to invoke the orchestrator. */
  readonly serviceRole: Role;

  constructor(scope: Construct, id: string, props: PatchMaintenanceWindowProps) {
    super(scope, id);
    this.window = new CfnMaintenanceWindow(this, 'Window', {
      name: props.name,
      description: 'orgpatch: patches every managed instance of the target OUs, Regions and resource groups',
      schedule: props.schedule,
      scheduleTimezone: props.timeZone,
      ...(props.scheduleOffset !== undefined ? { scheduleOffset: props.scheduleOffset } : {}),
      duration: props.duration,
      cutoff: props.cutoff,
      allowUnassociatedTargets: false,
      // OwnerInformation is a property of window targets only, and this window has none (its task
      // is target-less): the blog's owner information travels as the window's Owner tag instead.
      tags: [{ key: 'Owner', value: props.ownerInformation }],
    });

    // Systems Manager assumes this role on behalf of a maintenance window: without aws:SourceArn,
    // any window of this account (one a user with iam:PassRole registers a task in) could borrow it.
    // Both keys, as "Cross-service confused deputy prevention" (AWS Systems Manager User Guide)
    // recommends; the window ARN names this stack's one window, so no other window matches.
    this.windowArn = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:maintenancewindow/${this.window.ref}`;
    this.serviceRole = new Role(this, 'ServiceRole', {
      description: 'Lets the orgpatch maintenance window invoke the orgpatch orchestrator',
      assumedBy: new ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': this.windowArn },
        },
      }),
    });
    this.serviceRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeTheOrchestrator',
        actions: ['lambda:InvokeFunction'],
        // The task invokes the unqualified function (no Qualifier): no version or alias ARN needed.
        resources: [props.orchestrator.functionArn],
      }),
    );

    this.task = new CfnMaintenanceWindowTask(this, 'Task', {
      windowId: this.window.ref,
      name: 'orgpatch-orchestrator',
      description: `orgpatch run (owner: ${props.ownerInformation})`,
      taskType: 'LAMBDA',
      taskArn: props.orchestrator.functionArn,
      serviceRoleArn: this.serviceRole.roleArn,
      priority: 1,
      taskInvocationParameters: {
        maintenanceWindowLambdaParameters: {
          // CloudFormation takes the payload Base64-encoded ("AWS::SSM::MaintenanceWindowTask
          // MaintenanceWindowLambdaParameters": Length Constraint 4096) and passes the bytes to
          // Systems Manager, whose Payload is a blob of at most 4,096 bytes. Whether CloudFormation's
          // 4,096 counts the encoded text is not documented, so core holds the JSON to 3,072 bytes,
          // whose encoding is 4,096 characters at most: within both readings.
          payload: Buffer.from(props.payload, 'utf8').toString('base64'),
        },
      },
    });
  }
}

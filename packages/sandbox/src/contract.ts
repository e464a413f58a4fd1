/**
 * The sandbox's internal contract between its HTTP/protocol layer (server, SigV4 identity,
 * wire protocols, STS, Organizations, Resource Groups, S3, CloudWatch, faults, call log) and its services'
 * domain logic (SSM and the automation engine). Both sides import these names only.
 */

/** Who is calling, where, and what: resolved from SigV4 (access key -> principal, credential scope -> Region). */
export interface CallContext {
  readonly service: 'sts' | 'iam' | 'organizations' | 'resource-groups' | 'ssm' | 's3' | 'cloudwatch' | 'ec2';
  readonly operation: string;
  /** The account the caller acts in (the assumed role's account, or the orchestrator principal's). */
  readonly accountId: string;
  readonly region: string;
  /** ARN of the calling principal, e.g. `arn:${partition}:sts::111111111111:assumed-role/OrgPatchExecutionRole/orgpatch`. */
  readonly principalArn: string;
  /** Name of the role the caller assumed, if any. */
  readonly roleName?: string;
}

/**
 * An error the service returns to the caller, in the service's own shape. The protocol layer turns
 * it into `__type`/`x-amzn-errortype` (JSON protocols) or `<ErrorResponse>` (query/XML protocols).
 * `code` is the AWS error code (e.g. `AutomationExecutionNotFoundException`, `InvalidDocument`).
 */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'AwsServiceError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** A JSON-in/JSON-out operation (awsJson1_1 and restJson1 alike, after the protocol layer decoded it). */
export type OperationHandler = (input: Record<string, unknown>, ctx: CallContext) => unknown | Promise<unknown>;

/** A service's operations by name, e.g. `{ StartAutomationExecution: handler }`. */
export type ServiceHandlers = Readonly<Record<string, OperationHandler>>;

/**
 * Simulated time. `now()` is epoch milliseconds on the simulated clock; with timeScale 60 one real
 * second is one simulated minute. Timers fire on simulated time.
 */
export interface SimClock {
  readonly timeScale: number;
  now(): number;
  /** Runs `fn` after `simulatedMs` of simulated time; returns a cancel function. */
  schedule(simulatedMs: number, fn: () => void): () => void;
}

/** An instance (EC2 or managed node) in the world. Mutable: automation runs change its patch state. */
export interface SimInstance {
  readonly instanceId: string;
  readonly platform: 'Linux' | 'Windows' | 'MacOS';
  readonly platformName: string;
  /** Registered with SSM (appears in DescribeInstanceInformation, can run commands). */
  readonly managed: boolean;
  /** Minutes (simulated) that one AWS-RunPatchBaseline Install takes on it. */
  readonly patchMinutes: number;
  /** If true, AWS-RunPatchBaseline fails on it. */
  readonly failsPatching: boolean;
  /** Its tags (EC2 tags, or a hybrid node's SSM tags): what tag targets and tag filters match. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * SSM Agent's PingStatus when it is not `Online` (`ConnectionLost`, `Inactive`): the node is
   * still listed by DescribeInstanceInformation, but takes delivery of no command.
   */
  readonly pingStatus?: 'Online' | 'ConnectionLost' | 'Inactive';
  /** Patch state as DescribeInstancePatchStates reports it. Updated by runs. */
  patchState: {
    installedCount: number;
    missingCount: number;
    /** Of the missing and failed patches, those classified Critical (CriticalNonCompliantCount). */
    criticalCount: number;
    /** Of the missing and failed patches, those classified Security (SecurityNonCompliantCount). */
    securityCount: number;
    failedCount: number;
    installedPendingRebootCount: number;
    operation?: 'Scan' | 'Install';
    operationStartTime?: number;
    operationEndTime?: number;
    snapshotId?: string;
    baselineId: string;
    /**
     * A Scan that ended this many simulated ms before the sandbox started (the world's history): the
     * state DescribeInstancePatchStates reports until a run records an operation of its own.
     */
    priorScanAgeMs?: number;
  };
}

/** A resource group in one account and Region; members are instance ids of that location. */
export interface SimGroup {
  readonly name: string;
  readonly instanceIds: readonly string[];
  /**
   * Members that are not instances (ids of the location's {@link SimResource}s), as a tag-based
   * group without ResourceTypeFilters holds the volumes or security groups that carry its tag.
   */
  readonly resourceIds?: readonly string[];
}

/** A resource of a location that is not an instance or managed node (a volume, a security group, ...). */
export interface SimResource {
  /** The CloudFormation resource type Resource Groups reports, e.g. `AWS::EC2::Volume`. */
  readonly type: string;
  /** The resource id, e.g. `vol-0123456789abcdef0`: what SSM Automation puts in the target parameter. */
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An SSM document in one account and Region. */
export interface SimDocument {
  readonly name: string;
  readonly documentType: 'Automation' | 'Command';
  readonly documentFormat: 'JSON' | 'YAML';
  /** Parsed content (schemaVersion 0.3 for Automation). */
  readonly content: Record<string, unknown>;
  readonly createdDate: number;
  /** "1", "2", ...; the sandbox keeps the latest only as default. */
  readonly documentVersion: string;
  /** CreateDocument's TargetType (e.g. `/AWS::EC2::Instance`): which resource types a tag target resolves to. */
  readonly targetType?: string;
}

/** One account and Region of the world. */
export interface SimRegion {
  readonly region: string;
  /** false for an opt-in Region the account has not enabled: calls there fail as AWS fails them. */
  readonly enabled: boolean;
  readonly instances: Map<string, SimInstance>;
  readonly groups: Map<string, SimGroup>;
  /** Resources that are not instances, by id (absent: none). */
  readonly resources?: ReadonlyMap<string, SimResource>;
  readonly documents: Map<string, SimDocument>;
}

/** An account's lifecycle state: the Organizations service model's `AccountState`. */
export type AccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/** One account of the world. */
export interface SimAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** The Organizations account State (the retired Status is derived from it where Organizations answers). */
  status: AccountState;
  /** Id of the direct parent (root `r-...` or OU `ou-...`). */
  readonly parentId: string;
  readonly joinedTimestamp: number;
  /** IAM roles present (from the global member stack): name -> trusted principal ARNs. */
  readonly roles: Map<string, { readonly trustedPrincipalArns: readonly string[]; readonly trustedService?: string }>;
  readonly regions: Map<string, SimRegion>;
}

/** The simulated world, loaded from JSON or generated. */
export interface SimWorld {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly rootId: string;
  readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  /** ARN of the principal the orchestrator runs as (in the management account). */
  readonly orchestratorPrincipalArn: string;
  readonly ous: Map<string, { readonly id: string; readonly name: string; readonly parentId: string }>;
  readonly accounts: Map<string, SimAccount>;
  /** Regions every account has (enabled or not). */
  readonly regionNames: readonly string[];
}

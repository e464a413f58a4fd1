import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props of {@link RunRecordBucket}. */
export interface RunRecordBucketProps {
  /**
   * Days after which a run record (current version) expires.
   * @default 400 — a year of weekly runs plus a quarter of margin for audits
   */
  readonly retentionDays?: number;
  /**
   * Days a superseded or deleted version is kept (run records are rewritten as runs progress).
   * @default 30
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Days server access logs are kept.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * The S3 bucket the orchestrator writes run records and reports to, with its access-log bucket.
 *
 * Encryption is SSE-S3: run records hold account, Region and instance ids and patch counts, not
 * secrets; SSE-S3 encrypts at rest with no key policy to keep in step with the orchestrator role
 * and no per-request KMS charges; reads are governed by the IAM grants, writes also by
 * {@link RunRecordBucket.restrictWritesTo}. TLS is
 * enforced, public access blocked, objects versioned (a retried invocation rewriting a record
 * leaves the earlier version), and the bucket is retained when the stack is deleted.
 */
export class RunRecordBucket extends Construct {
  /** The run-record bucket. */
  readonly bucket: Bucket;
  /** The bucket receiving the run-record bucket's server access logs. */
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: RunRecordBucketProps = {}) {
    super(scope, id);
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      // Server access logging delivers only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket is the destination of the run-record bucket access logs; logging it to itself would loop and logging it to a third bucket only moves the finding. Writes to it come from the S3 logging service alone (bucket policy).',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-old-runs',
          expiration: Duration.days(props.retentionDays ?? 400),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionRetentionDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Server access logging wired by hand rather than with `serverAccessLogsBucket`, whose effect
    // (bucket policy or LogDeliveryWrite ACL) depends on the consuming app's feature flags: the
    // log bucket stays owner-enforced (no ACLs) and admits the logging service for this bucket only.
    const prefix = 'run-records/';
    (this.bucket.node.defaultChild as CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: prefix,
    };
    this.accessLogsBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'S3ServerAccessLogsForTheRunRecordBucket',
        principals: [new ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogsBucket.arnForObjects(`${prefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }

  /**
   * Denies object writes and deletes in the run-record bucket to every principal but the writers
   * (the orchestrator functions' execution roles), whatever their identity policies allow: an
   * administrator, another workload of the account or an AWS service cannot alter or remove a
   * run record, the in-progress index or a lease. The writers still need an identity-policy
   * grant; this statement only takes away.
   *
   * It covers every key, not only the run store's prefixes (the bucket holds nothing else, and a
   * prefix added later is covered without an edit), and DeleteObjectVersion too, so a record's
   * history (the bucket is versioned) cannot be erased either; lifecycle expiration is not a
   * request and is unaffected. `aws:PrincipalArn` is the role's ARN for every session of the role.
   * Whoever may change the bucket policy can lift this: that is the break-glass path.
   */
  restrictWritesTo(writer: IRole, ...otherWriters: readonly IRole[]): void {
    const writerArns = [...new Set([writer, ...otherWriters].map((r) => r.roleArn))];
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheOrchestratorWritesRunRecords',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': writerArns } },
      }),
    );
  }
}

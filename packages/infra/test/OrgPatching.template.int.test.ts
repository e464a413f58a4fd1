import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePayload } from '@orgpatch/core';
import { memberTemplates } from '@orgpatch/member-stack';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, ORG_ID, OU_DEV, OU_PROD, onlyResource, type Synthesized, synth } from './fixtures.js';

// One synthesis for the whole file, with real bundling (esbuild, a few seconds).
let s: Synthesized;
let template: Template;
let ids: {
  bucket: string;
  step: string;
  start: string;
  role: string;
  startRole: string;
  stepLogs: string;
  startLogs: string;
  machine: string;
  topic: string;
  key: string;
};

beforeAll(() => {
  s = synth(
    {
      operation: 'Install',
      rebootOption: 'NoReboot',
      maxConcurrency: '10%',
      maxErrors: '2',
      resourceGroups: ['WebServers', 'AppServers'],
      waves: [
        { name: 'dev', targetOus: [OU_DEV], errorThreshold: '0' },
        { name: 'prod', targetOus: [OU_PROD], errorThreshold: '10%' },
      ],
      errorBudget: '5%',
      scheduleOffset: 2,
      notificationEmails: ['patching@example.com'],
    },
    { bundle: true },
  );
  template = s.template;
  const o = s.orgPatching;
  ids = {
    bucket: logicalIdOf(s.stack, o.runRecords.bucket),
    step: logicalIdOf(s.stack, o.orchestrator.stepFunction),
    start: logicalIdOf(s.stack, o.orchestrator.startFunction),
    role: logicalIdOf(s.stack, o.orchestrator.role),
    startRole: logicalIdOf(s.stack, o.orchestrator.startRole),
    stepLogs: logicalIdOf(s.stack, o.orchestrator.stepLogGroup),
    startLogs: logicalIdOf(s.stack, o.orchestrator.startLogGroup),
    machine: logicalIdOf(s.stack, o.engine.stateMachine),
    topic: logicalIdOf(s.stack, o.notifications.topic),
    key: logicalIdOf(s.stack, o.notifications.key),
  };
}, 120_000);

const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('the orchestrator functions', () => {
  it('run the bundled ESM handlers on Node.js 24, arm64: the step sized for a shard, the starter for one call', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 2048,
      Timeout: 900,
      Role: { 'Fn::GetAtt': [ids.role, 'Arn'] },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: ids.stepLogs } },
      Environment: {
        Variables: {
          ORGPATCH_RUN_BUCKET: { Ref: ids.bucket },
          POWERTOOLS_SERVICE_NAME: 'orgpatch-step',
          POWERTOOLS_METRICS_NAMESPACE: 'OrgPatch',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Role: { 'Fn::GetAtt': [ids.startRole, 'Arn'] },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: ids.startLogs } },
      Environment: {
        Variables: { POWERTOOLS_SERVICE_NAME: 'orgpatch-start', ORGPATCH_STATE_MACHINE_ARN: { Ref: ids.machine } },
      },
    });
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('give each function and the state machine its own log group, kept a year and retained on delete', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    for (const g of groups) {
      expect(g.Properties).toEqual({ RetentionInDays: 365 });
      expect(g.DeletionPolicy).toBe('Retain');
    }
  });

  it('are bundled into zipped file assets holding one ESM file, index.mjs (no Docker image)', () => {
    const dir = s.app.synth().directory;
    const manifest = JSON.parse(readFileSync(join(dir, 'OrgPatch.assets.json'), 'utf8')) as {
      files: Record<
        string,
        { source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> }
      >;
      dockerImages?: Record<string, unknown>;
    };
    expect(manifest.dockerImages ?? {}).toEqual({});
    const lambdaKeys = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => (f.Properties.Code as { S3Key: string }).S3Key,
    );
    expect(lambdaKeys).toHaveLength(2);
    for (const key of lambdaKeys) {
      const asset = Object.values(manifest.files).find((f) =>
        Object.values(f.destinations).some((d) => d.objectKey === key),
      );
      expect(asset?.source.packaging).toBe('zip');
      expect(readdirSync(join(dir, asset?.source.path ?? 'missing'))).toEqual(['index.mjs']);
    }
  });

  it('have no tracker schedule and no queue: the state machine waits and polls', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('ScheduleExpression');
  });

  it('are invoked synchronously: an asynchronous invocation by hand is neither retried nor kept', () => {
    for (const fn of [ids.step, ids.start]) {
      const props = template.findResources('AWS::Lambda::Function')[fn]?.Properties;
      expect(props?.DeadLetterConfig).toBeUndefined();
      expect(props?.ReservedConcurrentExecutions).toBeUndefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    }
  });
});

describe('the orchestrator role', () => {
  it('is trusted by Lambda alone', () => {
    const role = template.findResources('AWS::IAM::Role')[ids.role];
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("may list the Organization, assume OrgPatchExecutionRole in it, read alarm states, use the run store's keys and write its logs — nothing else", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: ids.role })),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DescribeTheOrganization',
          Effect: 'Allow',
          Action: 'organizations:DescribeOrganization',
          Resource: '*',
        },
        {
          Sid: 'WalkTheOrganization',
          Effect: 'Allow',
          Action: [
            'organizations:ListAccountsForParent',
            'organizations:ListOrganizationalUnitsForParent',
            'organizations:ListParents',
            'organizations:DescribeAccount',
          ],
          Resource: [
            arn(`:organizations::*:root/${ORG_ID}/r-*`),
            arn(`:organizations::*:ou/${ORG_ID}/ou-*`),
            arn(`:organizations::*:account/${ORG_ID}/*`),
          ],
        },
        {
          Sid: 'AssumeTheMemberExecutionRole',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: arn(':iam::*:role/OrgPatchExecutionRole'),
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORG_ID } },
        },
        {
          Sid: 'ReadHealthGateAlarms',
          Effect: 'Allow',
          Action: 'cloudwatch:DescribeAlarms',
          Resource: '*',
        },
        {
          Sid: 'ListRunRecords',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] },
        },
        {
          Sid: 'ReadAndWriteRunRecords',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          Resource: ['/runs/*', '/in-progress/*', '/leases/*'].map((keys) => ({
            'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, keys]],
          })),
        },
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [ids.stepLogs, 'Arn'] },
        },
      ],
    });
  });
});

describe('the starter role', () => {
  it('is trusted by Lambda alone and may start this state machine and write its logs — nothing else', () => {
    const role = template.findResources('AWS::IAM::Role')[ids.startRole];
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: ids.startRole })),
    );
    expect(policies.map((p) => p.Properties.PolicyDocument)).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [ids.startLogs, 'Arn'] },
          },
          { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: ids.machine } },
        ],
      },
    ]);
  });
});

describe('the maintenance window', () => {
  it("keeps the blog's schedule, time zone (US/Eastern, not its typo), duration, cutoff and owner, plus the offset", () => {
    expect(onlyResource(template, 'AWS::SSM::MaintenanceWindow').properties).toEqual({
      Name: 'orgpatch',
      Description: 'orgpatch: patches every managed instance of the target OUs, Regions and resource groups',
      Schedule: 'cron(0 4 ? * SUN *)',
      ScheduleTimezone: 'US/Eastern',
      ScheduleOffset: 2,
      Duration: 5,
      Cutoff: 1,
      AllowUnassociatedTargets: false,
      Tags: [{ Key: 'Owner', Value: 'Patch Management Team' }],
    });
  });

  it('has one target-less Lambda task invoking the starter with its own service role', () => {
    const window = onlyResource(template, 'AWS::SSM::MaintenanceWindow');
    const task = onlyResource(template, 'AWS::SSM::MaintenanceWindowTask').properties;
    const roleId = logicalIdOf(s.stack, s.orgPatching.maintenanceWindow.serviceRole);
    expect(task).toMatchObject({
      WindowId: { Ref: window.logicalId },
      TaskType: 'LAMBDA',
      TaskArn: { 'Fn::GetAtt': [ids.start, 'Arn'] },
      ServiceRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Priority: 1,
    });
    expect(task.Targets).toBeUndefined();
    expect(task.MaxConcurrency).toBeUndefined();
    expect(task.MaxErrors).toBeUndefined();
  });

  it('passes a Base64 payload that core parses into the request the props describe, pseudo-parameters intact', () => {
    const task = onlyResource(template, 'AWS::SSM::MaintenanceWindowTask').properties as {
      TaskInvocationParameters: { MaintenanceWindowLambdaParameters: { Payload: string } };
    };
    const encoded = task.TaskInvocationParameters.MaintenanceWindowLambdaParameters.Payload;
    const text = Buffer.from(encoded, 'base64').toString('utf8');
    expect(Buffer.from(text, 'utf8').toString('base64')).toBe(encoded);
    expect(text).toBe(s.orgPatching.payload.text);
    // Within both readings of the 4,096 limit: the Base64 text CloudFormation holds, and the bytes SSM gets.
    expect(encoded.length).toBeLessThanOrEqual(4096);
    const raw = JSON.parse(text) as Record<string, unknown>;
    expect(raw.WindowId).toBe('{{WINDOW_ID}}');
    expect(raw.TaskExecutionId).toBe('{{TASK_EXECUTION_ID}}');

    const request = parsePayload(raw);
    expect(request.windowId).toBeUndefined();
    expect(request.taskExecutionId).toBeUndefined();
    expect(request.document).toEqual({ name: 'OrgPatch-RunPatchBaseline', version: '$DEFAULT' });
    expect(request.operation).toBe('Install');
    expect(request.rebootOption).toBe('NoReboot');
    expect(request.automationAssumeRole).toEqual({ kind: 'member-default' });
    expect(request.resourceGroups).toEqual(['WebServers', 'AppServers']);
    expect(request.maxConcurrency.raw).toBe('10%');
    expect(request.maxErrors.raw).toBe('2');
    expect(request.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(request.organization?.targetOus).toEqual([OU_DEV, OU_PROD]);
    expect(request.organization?.includeManagementAccount).toBe(false);
    expect(request.organization?.waves.map((w) => [w.name, w.targetOus, w.errorThreshold.raw])).toEqual([
      ['dev', [OU_DEV], '0'],
      ['prod', [OU_PROD], '10%'],
    ]);
    expect(request.organization?.errorBudget?.raw).toBe('5%');
  });

  it('runs the task as a role Systems Manager assumes for this window only, allowed to invoke the starter only', () => {
    const roleId = logicalIdOf(s.stack, s.orgPatching.maintenanceWindow.serviceRole);
    const window = onlyResource(template, 'AWS::SSM::MaintenanceWindow');
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'ssm.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: {
              'aws:SourceArn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':maintenancewindow/',
                    { Ref: window.logicalId },
                  ],
                ],
              },
            },
          },
        },
      ],
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    );
    expect(policies.map((p) => p.Properties.PolicyDocument)).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'InvokeTheOrchestrator',
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: { 'Fn::GetAtt': [ids.start, 'Arn'] },
          },
        ],
      },
    ]);
  });
});

describe('the member StackSets', () => {
  const common = {
    PermissionModel: 'SERVICE_MANAGED',
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
    CallAs: 'SELF',
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    ManagedExecution: { Active: true },
    OperationPreferences: {
      MaxConcurrentPercentage: 25,
      FailureTolerancePercentage: 10,
      RegionConcurrencyType: 'PARALLEL',
      ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
    },
  };

  it('deploy the global template once per account of the target OUs, in the home Region, with its parameters', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      ...common,
      StackSetName: 'OrgPatch-Member-Global',
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: [OU_DEV, OU_PROD] }, Regions: ['us-east-1'] },
      ],
      Parameters: [
        { ParameterKey: 'OrchestratorRoleArn', ParameterValue: { 'Fn::GetAtt': [ids.role, 'Arn'] } },
        { ParameterKey: 'OrganizationId', ParameterValue: ORG_ID },
      ],
    });
  });

  it('deploy the Regional template in every target Region of those accounts, after the global one', () => {
    const sets = template.findResources('AWS::CloudFormation::StackSet');
    const regional = Object.entries(sets).find(([, r]) => r.Properties.StackSetName === 'OrgPatch-Member-Regional');
    const global = Object.entries(sets).find(([, r]) => r.Properties.StackSetName === 'OrgPatch-Member-Global');
    expect(regional?.[1].Properties).toMatchObject({
      ...common,
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: [OU_DEV, OU_PROD] }, Regions: ['us-east-1', 'eu-west-1'] },
      ],
    });
    expect(regional?.[1].Properties.Parameters).toBeUndefined();
    expect(regional?.[1].DependsOn).toEqual([global?.[0]]);
  });

  it('embed the member templates byte for byte, under the inline TemplateBody limit', () => {
    const { global, regional } = memberTemplates();
    const bodies = Object.fromEntries(
      Object.values(template.findResources('AWS::CloudFormation::StackSet')).map((r) => [
        r.Properties.StackSetName as string,
        r.Properties.TemplateBody as string,
      ]),
    );
    expect(JSON.parse(bodies['OrgPatch-Member-Global'] ?? '')).toEqual(global);
    expect(JSON.parse(bodies['OrgPatch-Member-Regional'] ?? '')).toEqual(regional);
    for (const body of Object.values(bodies)) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(51_200);
  });
});

describe('the run-record bucket', () => {
  it('is encrypted, versioned, private, logged and expires old runs', () => {
    const logsId = logicalIdOf(s.stack, s.orgPatching.runRecords.accessLogsBucket);
    expect(template.findResources('AWS::S3::Bucket')[ids.bucket]?.Properties).toEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'run-records/' },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-old-runs',
            Status: 'Enabled',
            ExpirationInDays: 400,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          },
          { Id: 'remove-expired-delete-markers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
        ],
      },
    });
  });

  it('is retained when the stack is deleted, refuses requests without TLS and writes by anyone but the orchestrator', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[ids.bucket];
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.UpdateReplacePolicy).toBe('Retain');
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:*',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, objects],
          },
          {
            Sid: 'OnlyTheOrchestratorWritesRunRecords',
            Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [ids.role, 'Arn'] }] } },
            Resource: objects,
          },
        ],
      },
    });
  });

  it('sends its server access logs to a private bucket that admits the logging service for this bucket only', () => {
    const logsId = logicalIdOf(s.stack, s.orgPatching.runRecords.accessLogsBucket);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'S3ServerAccessLogsForTheRunRecordBucket',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logsId, 'Arn'] }, '/run-records/*']] },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          },
        ]),
      },
    });
  });
});

describe('notifications', () => {
  it('encrypt the run-summary topic with a rotated key and refuse publishing without TLS', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [ids.key, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'patching@example.com' });
  });

  it("let CloudWatch use the topic's key only for this account's alarms", () => {
    const key = template.findResources('AWS::KMS::Key')[ids.key];
    const policy = key?.Properties.KeyPolicy as { Statement: { Principal?: { Service?: string } }[] } | undefined;
    const statements = policy?.Statement ?? [];
    const cloudWatch = statements.filter((st) => st.Principal?.Service !== undefined);
    expect(cloudWatch).toEqual([
      {
        Sid: 'AllowThisAccountsAlarmsToUseTheKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:*',
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it("carry each run's summary, published by the state machine, which may publish there and nowhere else", () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(ids.machine.slice(0, -8)))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      );
    const publish = statements.filter((st) => JSON.stringify(st.Action).includes('sns:'));
    expect(publish).toEqual([expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: ids.topic } })]);
  });

  it('alarm on a failed, timed-out or aborted run execution, to the topic', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.machine } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });

  it('alarm on errors and throttles of both functions, to the topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    for (const fn of [ids.step, ids.start]) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: ids.topic }],
        });
      }
    }
  });
});

describe('the management account', () => {
  it('gets no member resources unless asked', () => {
    expect(Object.keys(template.findResources('AWS::SSM::Document'))).toEqual([]);
    expect(s.orgPatching.managementMember).toBeUndefined();
  });
});

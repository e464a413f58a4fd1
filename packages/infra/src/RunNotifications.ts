import { Aws, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Props of {@link RunNotifications}. */
export interface RunNotificationsProps {
  /**
   * Email addresses subscribed to the topic (each must confirm the subscription).
   * @default - no subscriptions; subscribe later (chatbot, another queue, ...)
   */
  readonly emails?: readonly string[];
}

/**
 * The SNS topic that carries run summaries and the orchestrator's alarms.
 *
 * A run's summary is published by the state machine when the run ends (its Finish step makes it a
 * custom notification of Amazon Q Developer in chat applications, formerly AWS Chatbot, so a chat
 * channel subscribed to the topic posts it as it is). The step Lambda needs no SNS permission.
 *
 * Encrypted with a customer managed key (rotation on): CloudWatch alarms and EventBridge cannot
 * publish to a topic encrypted with the AWS managed `alias/aws/sns` key, whose policy cannot grant
 * them. The topic policy refuses publishing without TLS and lets CloudWatch publish only for this
 * account's alarms.
 */
export class RunNotifications extends Construct {
  /** The topic run summaries and alarms go to. */
  readonly topic: Topic;
  /** The key encrypting the topic. */
  readonly key: Key;
  /** The alarms created by {@link alarmOnFunction} and {@link alarmOnStateMachine}. */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RunNotificationsProps = {}) {
    super(scope, id);
    const thisAccountsAlarms = `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`;
    this.key = new Key(this, 'TopicKey', {
      description: 'Encrypts the orgpatch run-summary topic',
      enableKeyRotation: true,
    });
    // The grant "Enable compatibility between event sources from AWS services and encrypted topics"
    // (Amazon SNS Developer Guide) asks for, held to this account's alarms in this Region by the
    // aws:SourceAccount and aws:SourceArn keys CloudWatch sends with the alarm's ARN ("The confused
    // deputy problem", IAM User Guide): without them the key serves the CloudWatch service on
    // behalf of any account's alarm. The same scope as the topic policy below.
    // CloudWatch Logs gets no grant (the log groups use CloudWatch Logs' own encryption), so the
    // kms:EncryptionContext:aws:logs:arn condition has nothing to hold.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': thisAccountsAlarms },
        },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'orgpatch run summaries',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': thisAccountsAlarms },
        },
      }),
    );
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
  }

  /**
   * Alarms when an execution of `machine` fails, times out or is aborted, notifying the topic: a run
   * that stopped there keeps its record and lease until someone redrives or finishes it.
   */
  alarmOnStateMachine(id: string, machine: IStateMachine): void {
    const metrics = [
      { name: 'Failed', metric: machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }) },
      { name: 'TimedOut', metric: machine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }) },
      { name: 'Aborted', metric: machine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' }) },
    ];
    for (const { name, metric } of metrics) {
      const alarm = new Alarm(this, `${id}Executions${name}`, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `orgpatch ${id}: an execution ${name.toLowerCase()}. The run keeps its record and lease: read the execution's failed step (its error names the cause), fix it, then redrive the execution.`,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
    }
  }

  /**
   * Alarms when `fn` reports any error or throttle in a 5-minute period, notifying the topic.
   * Missing data (no invocations) is not a breach: the window runs weekly.
   */
  alarmOnFunction(id: string, fn: IFunction): void {
    const metrics = [
      { name: 'Errors', metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }) },
      { name: 'Throttles', metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }) },
    ];
    for (const { name, metric } of metrics) {
      const alarm = new Alarm(this, `${id}${name}`, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `orgpatch ${id} reported ${name.toLowerCase()}; see its log group and the latest run record.`,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
    }
  }
}

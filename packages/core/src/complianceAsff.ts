import { type NodeCompliance, nodeLevel } from './complianceModel.js';
import { type ComplianceInput, complianceSource, joinChunks } from './complianceSource.js';
import { displayText } from './displayText.js';

/**
 * Compliance as AWS Security Finding Format (ASFF) findings, one per non-compliant node, for
 * Security Hub's BatchImportFindings. Each finding carries every top-level attribute ASFF requires
 * (AwsAccountId, CreatedAt, Description, GeneratorId, Id, ProductArn, Resources, SchemaVersion,
 * Severity, Title, Types, UpdatedAt: Security Hub User Guide, "Required top-level ASFF
 * attributes"), the node as an `AwsEc2Instance` (or `Other` for a hybrid `mi-` node) and an
 * `AwsSsmPatchCompliance` resource whose `Details.AwsSsmPatchCompliance.Patch.ComplianceSummary`
 * is the AwsSsmComplianceSummary shape. `Id` is stable per node, so importing a later snapshot
 * updates the same finding. ARNs are built from the snapshot's partition.
 */

/** ASFF's schema version (the only one). */
const ASFF_SCHEMA_VERSION = '2018-10-08';

/** BatchImportFindings takes at most 100 findings per call. */
const ASFF_BATCH_SIZE = 100;

/** Options of {@link complianceFindings}. */
export interface AsffOptions {
  /**
   * The account that imports the findings (its default product, `product/<account>/default`):
   * the Security Hub administrator account. @default the snapshot's management account
   */
  readonly productAccountId?: string;
}

const SEVERITY: Readonly<Record<'critical' | 'security' | 'other', { label: string; normalized: number }>> = {
  critical: { label: 'CRITICAL', normalized: 90 },
  security: { label: 'HIGH', normalized: 70 },
  other: { label: 'MEDIUM', normalized: 40 },
};

/** The node's ARN, in the snapshot's partition. */
function nodeArn(partition: string, node: NodeCompliance): string {
  return node.instanceId.startsWith('mi-')
    ? `arn:${partition}:ssm:${node.region}:${node.accountId}:managed-instance/${node.instanceId}`
    : `arn:${partition}:ec2:${node.region}:${node.accountId}:instance/${node.instanceId}`;
}

/**
 * One ASFF finding per node missing patches (Critical, Security or other). Nodes without patch
 * data, unmanaged or offline ones are not findings of this kind: the other reports list them.
 *
 * @example
 * const findings = complianceFindings(snapshot);
 * // aws securityhub batch-import-findings --findings file://batch.json (up to 100 a call)
 */
async function* complianceFindings(
  input: ComplianceInput,
  options: AsffOptions = {},
): AsyncGenerator<Record<string, unknown>> {
  const source = complianceSource(input);
  const snapshot = source.head;
  const { partition, managementAccountId } = snapshot.organization;
  const product = options.productAccountId ?? managementAccountId;
  for await (const batch of source.batches())
    for (const node of batch) {
      const level = nodeLevel(node);
      const p = node.patch;
      if (p === undefined || (level !== 'critical' && level !== 'security' && level !== 'other')) continue;
      const severity = SEVERITY[level];
      const arn = nodeArn(partition, node);
      const ended = p.operationEndTime;
      yield {
        SchemaVersion: ASFF_SCHEMA_VERSION,
        Id: `orgpatch/compliance/${node.accountId}/${node.region}/${node.instanceId}`,
        ProductArn: `arn:${partition}:securityhub:${node.region}:${product}:product/${product}/default`,
        GeneratorId: 'orgpatch-compliance',
        AwsAccountId: node.accountId,
        Types: ['Software and Configuration Checks/Vulnerabilities/Missing Patches'],
        CreatedAt: ended,
        UpdatedAt: snapshot.takenAt,
        Severity: { Label: severity.label, Normalized: severity.normalized, Original: level },
        Title: `${node.instanceId} is missing ${level === 'other' ? '' : `${level === 'critical' ? 'Critical' : 'Security'} `}patches`,
        Description: displayText(
          `Patch Manager reports ${p.critical} Critical, ${p.security} Security and ${p.other} other non-compliant patches on ${node.instanceId} (account ${node.accountId}, Region ${node.region}); ${p.missing} missing, ${p.failed} failed, ${p.installedPendingReboot} installed pending reboot, after a ${p.operation} that ended ${ended}${node.stale ? ` (older than ${snapshot.maxAgeDays} days)` : ''}. Snapshot ${snapshot.snapshotId}.`,
        ),
        Resources: [
          {
            Type: node.instanceId.startsWith('mi-') ? 'Other' : 'AwsEc2Instance',
            Id: arn,
            Partition: partition,
            Region: node.region,
          },
          {
            Type: 'AwsSsmPatchCompliance',
            Id: arn,
            Partition: partition,
            Region: node.region,
            Details: {
              AwsSsmPatchCompliance: {
                Patch: {
                  ComplianceSummary: {
                    ComplianceType: 'Patch',
                    ExecutionType: 'Command',
                    Status: 'NON_COMPLIANT',
                    OverallSeverity: level === 'critical' ? 'CRITICAL' : level === 'security' ? 'HIGH' : 'UNSPECIFIED',
                    PatchBaselineId: p.baselineId,
                    NonCompliantCriticalCount: p.critical,
                    NonCompliantHighCount: p.security,
                    NonCompliantUnspecifiedCount: p.other,
                    CompliantUnspecifiedCount: p.installed,
                  },
                },
              },
            },
          },
        ],
        Compliance: { Status: 'FAILED' },
        RecordState: 'ACTIVE',
        Workflow: { Status: 'NEW' },
      };
    }
}

/**
 * The findings as JSON text, a chunk at a time (a finding per line), so that 100,000 findings are
 * never one string: a list, as `aws securityhub batch-import-findings --findings` takes it (in lists
 * of at most 100 per call: see {@link renderComplianceAsffBatches}).
 */
export async function* renderComplianceAsffChunks(
  input: ComplianceInput,
  options: AsffOptions = {},
): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const finding of complianceFindings(input, options)) {
    yield `${first ? '' : ','}\n${JSON.stringify(finding)}`;
    first = false;
  }
  yield '\n]\n';
}

/** The findings as one JSON text (see {@link renderComplianceAsffChunks}). */
export function renderComplianceAsff(input: ComplianceInput, options: AsffOptions = {}): Promise<string> {
  return joinChunks(renderComplianceAsffChunks(input, options));
}

/** The findings as BatchImportFindings request bodies (`{"Findings": [...]}`), up to 100 findings each, one at a time. */
export async function* renderComplianceAsffBatches(
  input: ComplianceInput,
  options: AsffOptions = {},
): AsyncGenerator<string> {
  let batch: Record<string, unknown>[] = [];
  for await (const finding of complianceFindings(input, options)) {
    batch.push(finding);
    if (batch.length === ASFF_BATCH_SIZE) {
      yield `${JSON.stringify({ Findings: batch })}\n`;
      batch = [];
    }
  }
  if (batch.length > 0) yield `${JSON.stringify({ Findings: batch })}\n`;
}

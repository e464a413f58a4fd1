import type { RunSummary } from './runSummary.js';
import { truncateForMessage } from './truncateForMessage.js';

/**
 * A run's end as a custom notification of Amazon Q Developer in chat applications (formerly AWS
 * Chatbot), so the run-summary topic posts a short, readable message to Slack, Teams or Chime: the
 * "Event schema" of the Administrator Guide's "Custom notifications" (`version` "1.0", `source`
 * "custom", `content` in `client-markdown`, `metadata.threadId` threading a run's messages). The whole
 * record is in the report the message points to, never in the message.
 */
export interface RunNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: 'orgpatch-run-finished';
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** How many of the worst accounts the message names. */
const WORST_ACCOUNTS = 5;
/** The description's budget: a chat message people read, well under SNS's 256 KB. */
const DESCRIPTION_MAX = 3_500;
const TITLE_MAX = 200;

const ICON: Readonly<Record<RunSummary['status'], string>> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  halted: ':octagonal_sign:',
  running: ':hourglass_flowing_sand:',
  planned: ':memo:',
};

/** `15 succeeded, 2 failed, 25 skipped`: the location statuses present, failures first. */
function locationWords(c: RunSummary['locations']): string {
  const order = ['failed', 'halted', 'started', 'starting', 'planned', 'succeeded', 'skipped'] as const;
  const parts = order.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * The notification for a finished (or dry) run: its status, location and instance counts, each
 * wave's outcome with why it halted (or how long a health gate held it), the worst accounts (by
 * failed locations, then failed instances), and where the reports are.
 * @param reports where each report was written, by format (`html`, `csv`, `json`, `md`).
 */
export function runNotification(summary: RunSummary, reports: Readonly<Record<string, string>>): RunNotification {
  const { locations: l, instances: i } = summary;
  const dry = summary.dryRun ? ' (dry run: nothing started)' : '';
  const title = truncateForMessage(
    `${ICON[summary.status]} orgpatch run ${summary.runId} ${summary.status}${dry}`,
    TITLE_MAX,
  );
  const report = reports.html ?? Object.values(reports)[0];
  // The report comes before the lists, so a description cut to its budget still points to it.
  const lines: string[] = [
    `*Locations*: ${locationWords(l)} (${l.total} in all)`,
    `*Instances*: ${i.succeeded} patched, ${i.failed} failed, ${i.notStarted} not started, ${i.inProgress} in progress (${i.total} in all)`,
    ...(report !== undefined ? [`*Report*: ${report}`] : []),
    '*Waves*:',
    ...summary.waves.map((w) => {
      const note =
        w.reason ??
        (w.held?.until !== undefined ? `held by its health gate from ${w.held.since} to ${w.held.until}` : '');
      return `• ${w.name}: ${w.status}, ${w.failed} of ${w.total} failed (threshold ${w.errorThreshold})${note ? ` — ${note}` : ''}`;
    }),
  ];
  const worst = [...summary.accounts]
    .filter((a) => a.locations.failed + a.locations.halted + a.instances.failed > 0)
    .sort(
      (a, b) =>
        b.locations.failed - a.locations.failed ||
        b.instances.failed - a.instances.failed ||
        b.locations.halted - a.locations.halted ||
        (a.accountId < b.accountId ? -1 : 1),
    )
    .slice(0, WORST_ACCOUNTS);
  if (worst.length > 0) {
    lines.push('*Worst accounts*:');
    for (const a of worst) {
      lines.push(
        `• ${a.accountId} (${a.accountName}): ${a.locations.failed} location${a.locations.failed === 1 ? '' : 's'} failed, ${a.locations.halted} halted, ${a.instances.failed} instance${a.instances.failed === 1 ? '' : 's'} failed`,
      );
    }
  }
  const description = truncateForMessage(lines.join('\n'), DESCRIPTION_MAX);
  return {
    version: '1.0',
    source: 'custom',
    id: `orgpatch-${summary.runId}`,
    content: {
      textType: 'client-markdown',
      title,
      description,
      nextSteps: [
        ...(report !== undefined ? [`Open the report: ${report}`] : []),
        ...(summary.status === 'failed' || summary.status === 'halted'
          ? [`See every failed or halted location: orgpatch status ${summary.runId}`]
          : []),
      ],
      keywords: ['orgpatch', summary.status],
    },
    metadata: {
      threadId: `orgpatch-${summary.runId}`,
      summary: `orgpatch run ${summary.runId} ${summary.status}: ${l.failed} failed, ${l.halted} halted, ${l.succeeded} succeeded locations`,
      eventType: 'orgpatch-run-finished',
      relatedResources: Object.values(reports),
      additionalContext: {
        runId: summary.runId,
        status: summary.status,
        failedLocations: String(l.failed),
        haltedLocations: String(l.halted),
        failedInstances: String(i.failed),
      },
    },
  };
}

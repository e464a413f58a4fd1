import {
  type PatchRequest,
  type Plan,
  type PlannedLocation,
  type RunRecord,
  type RunSummary,
  type ValidationIssue,
  waveNote,
} from '@orgpatch/core';
import Table from 'cli-table3';
import type { Colors } from './io.js';

function table(head: string[]): Table.Table {
  // cli-table3 colours headers itself unless told not to: colour is picocolors' job, and only on a TTY.
  return new Table({ head, style: { head: [], border: [] } });
}

/** One line per problem: the JSON path, what is wrong, and the hint. */
export function renderIssues(issues: readonly ValidationIssue[], c: Colors): string {
  return issues
    .map((i) => `  ${c.red('✗')} ${c.bold(i.path || '(root)')}: ${i.message}${i.hint ? c.dim(` (${i.hint})`) : ''}`)
    .join('\n');
}

function rate(r: { raw: string }): string {
  return r.raw;
}

/** The normalized request, for a person. */
export function renderRequest(request: PatchRequest, c: Colors): string {
  const role = request.automationAssumeRole;
  const roleText =
    role.kind === 'member-default'
      ? 'each account’s OrgPatchAutomationRole'
      : role.kind === 'template'
        ? role.template
        : role.arn;
  const rows: [string, string][] = [
    ['Document', `${request.document.name}${request.document.version ? ` (version ${request.document.version})` : ''}`],
    ['Operation', request.operation],
    ['RebootOption', request.rebootOption],
    ['AutomationAssumeRole', roleText],
    [
      'Targets',
      request.targets
        .flatMap((t) => t.values.map((v) => (t.key === 'ResourceGroup' ? `ResourceGroup ${v}` : `${t.key}=${v}`)))
        .join(', '),
    ],
    ['MaxConcurrency / MaxErrors', `${rate(request.maxConcurrency)} / ${rate(request.maxErrors)}`],
    ['Regions', request.regions.join(', ')],
    [
      'Window / task execution',
      `${request.windowId ?? '(set by the maintenance window)'} / ${request.taskExecutionId ?? '(set by the maintenance window)'}`,
    ],
    ['Dry run', request.dryRun ? 'yes' : 'no'],
    ['Concurrency', `${request.concurrency.global} in flight, ${request.concurrency.perAccount} per account`],
  ];
  const org = request.organization;
  if (org) {
    rows.push([
      'Organization',
      `OUs ${org.targetOus.join(', ') || '-'}; accounts ${org.accounts.join(', ') || '-'}; excluded ${org.excludeAccounts.join(', ') || '-'}`,
    ]);
    rows.push(['Management account', org.includeManagementAccount ? 'included' : 'not included']);
    rows.push(['Execution role', org.executionRoleName]);
    for (const w of org.waves) {
      rows.push([
        `Wave ${w.name}`,
        `OUs ${w.targetOus.join(', ') || '-'}; accounts ${w.accounts.join(', ') || '-'}; error threshold ${w.errorThreshold.raw}`,
      ]);
    }
    if (org.errorBudget) rows.push(['Error budget', org.errorBudget.raw]);
  } else {
    rows.push(['Scope', 'the current account only (no Organization part, as in the blog)']);
  }
  const t = table([c.bold('Field'), c.bold('Value')]);
  for (const r of rows) t.push(r);
  return t.toString();
}

function cell(l: PlannedLocation, c: Colors): string {
  switch (l.decision.action) {
    case 'start':
      return c.green(`start ${l.instanceCount}`);
    case 'skip':
      return c.dim(`skip: ${l.decision.reason}`);
    case 'fail':
      return c.red(`FAIL: ${l.decision.code}`);
  }
}

/** The plan as a grid: one row per account, one column per Region, each cell its decision. */
export function renderPlan(plan: Plan, regions: readonly string[], c: Colors): string {
  const t = table([c.bold('Wave'), c.bold('Account'), ...regions.map((r) => c.bold(r))]);
  const byAccount = new Map<string, PlannedLocation[]>();
  for (const l of plan.locations) {
    const list = byAccount.get(l.accountId) ?? [];
    list.push(l);
    byAccount.set(l.accountId, list);
  }
  for (const [accountId, list] of byAccount) {
    const first = list[0];
    const name = first && first.accountName !== accountId ? ` ${first.accountName}` : '';
    t.push([
      first?.wave ?? '',
      `${accountId}${name}`,
      ...regions.map((r) => {
        const l = list.find((x) => x.region === r);
        return l ? cell(l, c) : '';
      }),
    ]);
  }
  const reasons = plan.locations.filter((l) => l.decision.action !== 'start');
  const lines = [t.toString()];
  lines.push(
    `${c.bold(String(plan.counts.locations))} locations: ${c.green(`${plan.counts.start} to start`)} (${plan.counts.instances} instances), ${plan.counts.skip} skipped, ${plan.counts.fail > 0 ? c.red(`${plan.counts.fail} failed`) : '0 failed'}`,
  );
  if (reasons.length > 0 && reasons.length <= 200) {
    lines.push('', c.bold('Why not started:'));
    for (const l of reasons) {
      const why =
        l.decision.action === 'skip'
          ? `${l.decision.reason}: ${l.decision.detail}`
          : l.decision.action === 'fail'
            ? `${l.decision.code}: ${l.decision.message}`
            : '';
      lines.push(`  ${l.accountId} ${l.region}  ${why}`);
    }
  } else if (reasons.length > 200) {
    lines.push(c.dim(`(${reasons.length} locations not started: use --json for every reason)`));
  }
  return lines.join('\n');
}

function statusColor(status: string, c: Colors): string {
  if (status === 'succeeded') return c.green(status);
  if (status === 'failed' || status === 'halted') return c.red(status);
  return c.yellow(status);
}

/** A run's summary: status, location and instance counts, and the waves. */
export function renderSummary(summary: RunSummary, c: Colors): string {
  const lines = [
    `Run ${c.bold(summary.runId)}: ${statusColor(summary.status, c)}${summary.dryRun ? c.dim(' (dry run: nothing started)') : ''}`,
    `Locations: ${summary.locations.total} (${summary.locations.succeeded} succeeded, ${summary.locations.failed} failed, ${summary.locations.started} running, ${summary.locations.starting} starting, ${summary.locations.skipped} skipped, ${summary.locations.halted} halted, ${summary.locations.planned} planned)`,
    `Instances: ${summary.instances.total} (${summary.instances.succeeded} succeeded, ${summary.instances.failed} failed, ${summary.instances.inProgress} in progress, ${summary.instances.notStarted} not started)`,
  ];
  const t = table([c.bold('Wave'), c.bold('Status'), c.bold('Failed / to run'), c.bold('Threshold'), c.bold('Reason')]);
  for (const w of summary.waves)
    t.push([w.name, statusColor(w.status, c), `${w.failed} / ${w.total}`, w.errorThreshold, waveNote(w)]);
  lines.push(t.toString());
  return lines.join('\n');
}

/** Per-location status of a run, for `status`. */
export function renderLocations(record: RunRecord, c: Colors, limit = 200): string {
  const t = table([
    c.bold('Account'),
    c.bold('Region'),
    c.bold('Wave'),
    c.bold('Status'),
    c.bold('Executions'),
    c.bold('Reason'),
  ]);
  const shown = record.locations.filter((l) => l.status !== 'skipped').slice(0, limit);
  for (const l of shown) {
    t.push([
      l.accountId,
      l.region,
      l.wave,
      statusColor(l.status, c),
      l.executions.map((e) => `${e.executionId} ${e.status}`).join('\n'),
      l.reason ?? '',
    ]);
  }
  const skipped = record.locations.filter((l) => l.status === 'skipped').length;
  return `${t.toString()}\n${c.dim(`${skipped} skipped location${skipped === 1 ? '' : 's'} not shown; the report lists them with their reasons.`)}`;
}

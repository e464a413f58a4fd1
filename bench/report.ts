import type { BenchRow, TargetCheck } from './results.js';

const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const count = (n: number | undefined): string => (n === undefined ? '-' : n.toLocaleString('en-US'));
const fixed = (n: number | undefined, digits = 1, suffix = ''): string =>
  n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(digits)}${suffix}`;

/** The bench table as text: one row per (size, strategy), extrapolated rows marked. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = [
    'accounts',
    'strategy',
    'wall',
    'API calls',
    'AssumeRole',
    'ListGroupRes',
    'StartAutomation',
    'discovery+other',
    'throttles/retried',
    'orch. peak RSS',
    'CPU/call',
    'largest stored',
    'sandbox CPU',
    'ideal',
    'ratio',
    'speed-up',
  ];
  const body = rows.map((r) => [
    count(r.size),
    r.measured ? r.strategy : `${r.strategy} (extrapolated)`,
    r.measured ? seconds(r.wallMs) : `~${seconds(r.wallMs)}`,
    count(r.calls?.total),
    count(r.calls?.assumeRole),
    count(r.calls?.listGroupResources),
    count(r.calls?.startAutomationExecution),
    r.calls ? `${count(r.calls.discovery)}+${count(r.calls.other)}` : '-',
    r.calls ? `${count(r.calls.throttles)}/${count(r.retried)}` : '-',
    r.orchestrator ? `${fixed(r.orchestrator.maxRssMb, 0)} MB` : '-',
    fixed(r.cpuPerCallMs, 3, ' ms'),
    r.store ? `${fixed(r.store.largestBytes / 1e6, 2)} MB` : '-',
    r.sandbox ? `${fixed(r.sandbox.cpuS)} s` : '-',
    seconds(r.idealMs),
    fixed(r.ratioToIdeal, 2, 'x'),
    fixed(r.speedUpOverBaseline, 1, 'x'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The issue's targets as a Markdown table (target, verdict, what was measured). */
export function renderTargets(targets: readonly TargetCheck[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  return [
    '| target | verdict | measured |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${cell(t.target)} | ${t.verdict} | ${cell(t.detail)} |`),
  ].join('\n');
}

/** Other checks as text lines. */
export function renderChecks(targets: readonly TargetCheck[]): string {
  return targets.map((t) => `${t.verdict.padEnd(4)} ${t.target}: ${t.detail}`).join('\n');
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly { readonly x: number; readonly y: number; readonly measured: boolean }[];
}

const escapeXml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * A log-log chart of wall time against accounts, one line per strategy (the ideal too), as a
 * self-contained SVG. Extrapolated points are hollow, on a dashed line.
 */
export function renderChart(rows: readonly BenchRow[], title: string): string {
  const byStrategy = new Map<string, BenchRow[]>();
  for (const row of rows) byStrategy.set(row.strategy, [...(byStrategy.get(row.strategy) ?? []), row]);
  const colors: Record<string, string> = {
    orgpatch: '#1f77b4',
    'orgpatch+throttling': '#ff7f0e',
    'planRun+startRun': '#9467bd',
    'full run': '#8c564b',
    baseline: '#d62728',
    ideal: '#2ca02c',
  };
  const series: Series[] = [];
  for (const [name, list] of byStrategy) {
    const sorted = [...list].sort((a, b) => a.size - b.size);
    series.push({
      name: name === 'baseline' ? 'serial baseline (blog)' : name,
      color: colors[name] ?? '#555',
      dashed: name === 'baseline',
      points: sorted.map((r) => ({ x: r.size, y: r.wallMs / 1000, measured: r.measured })),
    });
  }
  const ideal = (byStrategy.get('orgpatch') ?? []).filter((r) => r.idealMs !== undefined);
  if (ideal.length > 0) {
    series.push({
      name: 'ideal (orgpatch call count)',
      color: colors.ideal ?? '#2ca02c',
      dashed: true,
      points: [...ideal]
        .sort((a, b) => a.size - b.size)
        .map((r) => ({ x: r.size, y: (r.idealMs ?? 0) / 1000, measured: true })),
    });
  }
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y).filter((y) => y > 0);
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...xs, 100)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...xs, 1000)));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys, 1)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 10)));
  const width = 760;
  const height = 480;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 60;
  const round = (v: number) => Math.round(v * 10) / 10;
  const px = (x: number) =>
    round(left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (width - left - right));
  const py = (y: number) =>
    round(
      height -
        bottom -
        ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) *
          (height - top - bottom),
    );
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  for (let d = Math.log10(xMin); d <= Math.log10(xMax); d++) {
    for (const m of [1, 2, 5]) {
      const x = m * 10 ** d;
      if (x < xMin || x > xMax) continue;
      parts.push(
        `<line x1="${px(x)}" y1="${top}" x2="${px(x)}" y2="${height - bottom}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`,
        `<text x="${px(x)}" y="${height - bottom + 16}" text-anchor="middle" fill="#333">${x.toLocaleString('en-US')}</text>`,
      );
    }
  }
  for (let d = Math.log10(yMin); d <= Math.log10(yMax); d++) {
    const y = 10 ** d;
    parts.push(
      `<line x1="${left}" y1="${py(y)}" x2="${width - right}" y2="${py(y)}" stroke="#ccc"/>`,
      `<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end" fill="#333">${y >= 1 ? y.toLocaleString('en-US') : y} s</text>`,
    );
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#333"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 18}" text-anchor="middle">accounts (x 16 Regions x 2 groups), log scale</text>`,
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">wall time to plan and start, log scale</text>`,
  );
  series.forEach((s, i) => {
    const path = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    for (const p of s.points) {
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${p.measured ? s.color : '#fff'}" stroke="${s.color}" stroke-width="2"><title>${escapeXml(`${s.name}: ${p.x} accounts, ${p.y.toFixed(1)} s${p.measured ? '' : ' (extrapolated)'}`)}</title></circle>`,
      );
    }
    const ly = top + 14 + i * 20;
    const lx = width - right + 16;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  const ly = top + 14 + series.length * 20 + 6;
  parts.push(
    `<circle cx="${width - right + 28}" cy="${ly}" r="4" fill="#fff" stroke="#555" stroke-width="2"/>`,
    `<text x="${width - right + 46}" y="${ly + 4}">extrapolated</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

import type { ProgressEvent } from '@orgpatch/orchestrator';
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

/** Renders run progress: bars on stderr when it is a terminal, nothing otherwise (scripts, CI, --json). */
export interface ProgressRenderer {
  readonly onProgress: (event: ProgressEvent) => void;
  stop(): void;
}

const LABELS: Record<Exclude<ProgressEvent['phase'], 'discover' | 'report'>, string> = {
  inventory: 'Inventory ',
  start: 'Starting  ',
  track: 'Tracking  ',
  'patch-states': 'Patch states',
};

/** A renderer that draws nothing. */
const noProgress: ProgressRenderer = { onProgress: () => undefined, stop: () => undefined };

/** Progress bars with cli-progress on stderr, only when stderr is a TTY and output is not JSON. */
export function createProgressRenderer(io: CliIo, json: boolean): ProgressRenderer {
  if (json || io.stderr.isTTY !== true) return noProgress;
  let bar: cliProgress.SingleBar | undefined;
  let phase: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
    phase = undefined;
  };
  return {
    onProgress: (event) => {
      if (event.phase === 'discover') {
        stop();
        io.stderr.write(`Discovered ${event.accounts} account${event.accounts === 1 ? '' : 's'}\n`);
        return;
      }
      if (event.phase === 'report') {
        stop();
        return;
      }
      const key = event.phase === 'start' ? `start:${event.wave}` : event.phase;
      if (phase !== key) {
        stop();
        phase = key;
        const label = event.phase === 'start' ? `Wave ${event.wave}` : LABELS[event.phase];
        bar = new cliProgress.SingleBar(
          {
            stream: io.stderr as NodeJS.WritableStream,
            format: `${label} [{bar}] {value}/{total} locations`,
            hideCursor: true,
            clearOnComplete: false,
            noTTYOutput: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(event.total, event.done);
      } else {
        bar?.setTotal(event.total);
        bar?.update(event.done);
      }
    },
    stop,
  };
}

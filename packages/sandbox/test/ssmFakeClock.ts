import type { SimClock } from '../src/contract.js';

/**
 * A deterministic SimClock for the SSM unit tests: time moves only when a test calls `advance`,
 * and timers fire in due order (timers scheduled while advancing fire too if they fall due).
 */
export class FakeClock implements SimClock {
  readonly timeScale = 1;
  private current: number;
  private seq = 0;
  private readonly timers: { due: number; seq: number; fn: () => void; cancelled: boolean }[] = [];

  constructor(start = Date.parse('2025-06-01T00:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(simulatedMs: number, fn: () => void): () => void {
    const timer = { due: this.current + Math.max(0, simulatedMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      const next = this.timers
        .filter((t) => !t.cancelled && t.due <= end)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      next.cancelled = true;
      this.current = Math.max(this.current, next.due);
      next.fn();
    }
    this.current = end;
  }

  /** Advances in `stepMs` steps until `done()` holds (at most `maxMs`); returns the time it took. */
  advanceUntil(done: () => boolean, stepMs = 1_000, maxMs = 24 * 3_600_000): number {
    let elapsed = 0;
    while (!done()) {
      if (elapsed >= maxMs) throw new Error(`Condition not reached within ${maxMs} simulated ms.`);
      this.advance(stepMs);
      elapsed += stepMs;
    }
    return elapsed;
  }
}

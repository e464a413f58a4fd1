import type { SimClock } from './contract.js';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Options of {@link ScaledClock}. */
export interface ScaledClockOptions {
  /** Simulated epoch milliseconds at creation. @default Date.now() */
  readonly start?: number;
  /**
   * Simulated milliseconds per real millisecond. 60 makes a real second a simulated minute; 0 freezes
   * the clock so that only {@link ScaledClock.advance} moves it (deterministic tests).
   * @default 1
   */
  readonly timeScale?: number;
  /** Real monotonic time source in milliseconds (tests may inject one). @default performance.now */
  readonly realNow?: () => number;
}

/**
 * The sandbox's simulated clock: real time scaled by `timeScale`, plus whatever {@link advance} added.
 * Timers are kept in a heap on simulated time; one real `setTimeout` (unref'd) waits for the earliest,
 * and `advance` fires every timer that became due, in order, synchronously.
 *
 * @example
 * const clock = new ScaledClock({ timeScale: 0, start: Date.parse('2025-01-01T00:00:00Z') });
 * clock.schedule(60_000, () => console.log('a simulated minute later'));
 * clock.advance(60_000); // fires it now
 */
export class ScaledClock implements SimClock {
  readonly timeScale: number;
  private readonly realNow: () => number;
  private readonly realStart: number;
  private readonly simStart: number;
  private offset = 0;
  private readonly heap: Timer[] = [];
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private firing = false;
  private stopped = false;

  constructor(options: ScaledClockOptions = {}) {
    const timeScale = options.timeScale ?? 1;
    if (!Number.isFinite(timeScale) || timeScale < 0) {
      throw new RangeError(`timeScale must be a finite number >= 0, got ${timeScale}; use 0 for a manual clock.`);
    }
    this.timeScale = timeScale;
    this.realNow = options.realNow ?? (() => performance.now());
    this.realStart = this.realNow();
    this.simStart = options.start ?? Date.now();
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.simStart + (this.realNow() - this.realStart) * this.timeScale + this.offset);
  }

  /** Runs `fn` once `simulatedMs` of simulated time have passed; returns a cancel function. */
  schedule(simulatedMs: number, fn: () => void): () => void {
    const timer: Timer = { due: this.now() + Math.max(0, simulatedMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    if (!this.firing) this.arm();
    return () => {
      timer.cancelled = true;
    };
  }

  /**
   * Moves simulated time forward by `ms`, stepping through every timer due on the way: while a timer
   * runs, `now()` is its due time, so timers it schedules that fall inside the step fire too.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}.`);
    const target = this.now() + ms;
    this.fireDue(target);
    const now = this.now();
    if (target > now) this.offset += target - now;
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Cancels the real timer; scheduled simulated timers stay but no longer fire on their own. */
  stop(): void {
    this.stopped = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
  }

  private fireDue(target = this.now()): void {
    if (this.firing) return;
    this.firing = true;
    try {
      for (;;) {
        const top = this.heap[0];
        if (!top) break;
        if (top.cancelled) {
          this.pop();
          continue;
        }
        if (top.due > target) break;
        const now = this.now();
        if (top.due > now) this.offset += top.due - now;
        this.pop();
        top.fn();
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }

  private arm(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    if (this.stopped || this.timeScale === 0) return;
    while (this.heap[0]?.cancelled) this.pop();
    const top = this.heap[0];
    if (!top) return;
    const realDelay = Math.max(0, Math.ceil((top.due - this.now()) / this.timeScale));
    // setTimeout caps at 2^31-1 ms; re-arm on wake if the timer is further out.
    this.realTimer = setTimeout(() => this.fireDue(), Math.min(realDelay, 2_147_483_647));
    this.realTimer.unref();
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

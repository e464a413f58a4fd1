import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../src/clock.js';

describe('ScaledClock', () => {
  it('fires timers in due order when advanced, and not before', () => {
    const clock = new ScaledClock({ start: 1_000_000, timeScale: 0 });
    const fired: string[] = [];
    clock.schedule(300, () => fired.push('c'));
    clock.schedule(100, () => fired.push('a'));
    clock.schedule(100, () => fired.push('b'));
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(201);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1_000_300);
  });

  it('runs timers scheduled by timers when they are already due, and honours cancel', () => {
    const clock = new ScaledClock({ start: 0, timeScale: 0 });
    const fired: number[] = [];
    const cancel = clock.schedule(50, () => fired.push(50));
    clock.schedule(10, () => clock.schedule(5, () => fired.push(clock.now())));
    cancel();
    clock.advance(100);
    expect(fired).toEqual([15]);
    expect(clock.now()).toBe(100);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('scales real time by timeScale', () => {
    let real = 0;
    const clock = new ScaledClock({ start: 0, timeScale: 60, realNow: () => real });
    real = 1000;
    expect(clock.now()).toBe(60_000);
    clock.advance(1000);
    expect(clock.now()).toBe(61_000);
  });

  it('rejects a negative time scale and a negative advance', () => {
    expect(() => new ScaledClock({ timeScale: -1 })).toThrow(/timeScale/);
    expect(() => new ScaledClock({ timeScale: 0 }).advance(-5)).toThrow(/advance/);
  });
});

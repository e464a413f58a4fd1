import type { SimClock } from '../contract.js';
import type { AlarmFlip } from '../faults.js';
import type { AlarmState, SandboxWorld, WorldAlarm } from '../world/model.js';

/** An alarm as CloudWatch holds it now: the world's definition and its current state. */
export interface LiveAlarm {
  readonly definition: WorldAlarm;
  /** Simulated epoch ms of the alarm's configuration (the simulated start). */
  readonly configured: number;
  readonly state: AlarmState;
  readonly reason: string;
  /** Simulated epoch ms of the last state update, even one to the same state (StateUpdatedTimestamp). */
  readonly stateUpdated: number;
  /** Simulated epoch ms of the last change of StateValue (StateTransitionedTimestamp). */
  readonly stateTransitioned: number;
}

/** A state change of one or more alarms (every account or Region that has the name, unless narrowed). */
export interface AlarmChange {
  readonly name: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly state: AlarmState;
  readonly reason: string;
}

/**
 * The CloudWatch alarms of every account and Region, with their states: the world's at the simulated
 * start, then changed by `alarms` faults when their simulated time comes and by `sandbox.setAlarm`.
 * Fault flips are taken from the fault controller whenever the alarms are read or set, and applied in
 * time order with their own times, so a flip at +10m reads as made at +10m however late it is seen.
 */
export class AlarmStore {
  private readonly byLocation = new Map<string, Map<string, LiveAlarm>>();

  constructor(
    world: SandboxWorld,
    private readonly clock: SimClock,
    private readonly flips: { takeDueAlarmFlips(now: number): readonly AlarmFlip[] },
  ) {
    const start = clock.now();
    for (const definition of world.alarms) {
      const key = locationKey(definition.accountId, definition.region);
      let alarms = this.byLocation.get(key);
      if (!alarms) {
        alarms = new Map();
        this.byLocation.set(key, alarms);
      }
      alarms.set(definition.name, {
        definition,
        configured: start,
        state: definition.state,
        reason: definition.reason,
        stateUpdated: start,
        stateTransitioned: start,
      });
    }
  }

  /** The alarms of one account and Region, by name, after the fault flips due now. */
  list(accountId: string, region: string): readonly LiveAlarm[] {
    this.applyDueFlips();
    return [...(this.byLocation.get(locationKey(accountId, region))?.values() ?? [])].sort((a, b) =>
      a.definition.name < b.definition.name ? -1 : a.definition.name > b.definition.name ? 1 : 0,
    );
  }

  /** Sets the state of the matching alarms now; returns how many matched. */
  set(change: AlarmChange): number {
    this.applyDueFlips();
    return this.apply(change, this.clock.now());
  }

  private applyDueFlips(): void {
    for (const flip of this.flips.takeDueAlarmFlips(this.clock.now())) this.apply(flip, flip.at);
  }

  private apply(change: AlarmChange, at: number): number {
    const targets = this.matching(change);
    for (const [alarms, alarm] of targets) {
      alarms.set(alarm.definition.name, {
        definition: alarm.definition,
        configured: alarm.configured,
        state: change.state,
        reason: change.reason,
        stateUpdated: at,
        stateTransitioned: change.state === alarm.state ? alarm.stateTransitioned : at,
      });
    }
    return targets.length;
  }

  private matching(match: {
    readonly name: string;
    readonly accountId?: string;
    readonly region?: string;
  }): [Map<string, LiveAlarm>, LiveAlarm][] {
    const found: [Map<string, LiveAlarm>, LiveAlarm][] = [];
    for (const alarms of this.byLocation.values()) {
      const alarm = alarms.get(match.name);
      if (!alarm) continue;
      if (match.accountId !== undefined && alarm.definition.accountId !== match.accountId) continue;
      if (match.region !== undefined && alarm.definition.region !== match.region) continue;
      found.push([alarms, alarm]);
    }
    return found;
  }
}

function locationKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

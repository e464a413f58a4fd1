import { z } from 'zod';
import type { ServiceName } from './callLog.js';
import { SandboxOptionsError } from './errors.js';
import { mulberry32, type Random } from './prng.js';
import { SSM_AUTOMATION_API_QUOTAS } from './ssm/quotas.js';

const serviceName = z.enum(['sts', 'iam', 'organizations', 'resource-groups', 'ssm', 's3', 'cloudwatch', 'ec2']);

const latencySpec = z
  .object({
    meanMs: z.number().min(0),
    jitterMs: z.number().min(0).optional().describe('Half-width (uniform) or standard deviation (normal). Default 0.'),
    distribution: z.enum(['uniform', 'normal']).optional().describe('Default uniform.'),
  })
  .strict();

const throttleRule = z
  .object({
    service: serviceName.optional(),
    operation: z.string().optional(),
    accountId: z.string().optional(),
    region: z.string().optional(),
    rate: z.number().min(0).describe('Tokens added per second (simulated, and never slower than real time).'),
    burst: z.number().min(0).describe('Bucket capacity (and initial tokens).'),
    bucketBy: z
      .array(z.enum(['service', 'operation', 'account', 'region']))
      .optional()
      .describe('Dimensions that get separate buckets. Default all four (AWS: per account, Region and API).'),
  })
  .strict();

/** A simulated duration after `faults.set`: `+90s`, `+10m`, `+1.5h`, `+2d`, `+500ms`. */
const RELATIVE_TIME = /^\+(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const alarmFlip = z
  .object({
    name: z.string().min(1).max(255).describe('The alarm name.'),
    accountId: z.string().optional().describe('Only the alarm of this account (default: every account that has one).'),
    region: z.string().optional().describe('Only the alarm of this Region (default: every Region that has one).'),
    at: z
      .union([z.string().regex(RELATIVE_TIME, 'a simulated duration such as "+10m"'), z.iso.datetime({ offset: true })])
      .optional()
      .describe(
        'When, on the simulated clock: "+10m" after the faults are set, or an ISO time (one already past flips at once). Default: at once.',
      ),
    state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).describe('The StateValue the alarm turns to.'),
    reason: z.string().max(1023).optional().describe('The StateReason (default: a sentence naming the fault).'),
  })
  .strict();

/** The zod schema of a fault configuration (what `faults.set` and `--faults FILE` accept). */
export const faultConfigSchema = z
  .object({
    latency: latencySpec
      .extend({
        perOperation: z
          .record(z.string(), latencySpec)
          .optional()
          .describe('Keys: "Operation" or "service:Operation".'),
      })
      .strict()
      .optional(),
    throttle: z.array(throttleRule).optional(),
    accessDenied: z
      .array(
        z
          .object({
            accountId: z.string(),
            service: serviceName.optional(),
            operations: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
    regionsNotEnabled: z.array(z.object({ region: z.string(), accountId: z.string().optional() }).strict()).optional(),
    commandDelivery: z
      .array(
        z
          .object({
            instanceId: z.string(),
            accountId: z.string().optional(),
            region: z.string().optional(),
            delayMs: z
              .number()
              .min(0)
              .optional()
              .describe(
                'Simulated ms after SendCommand until SSM Agent on the node takes delivery. Absent: never (the node is stopped or disconnected).',
              ),
          })
          .strict(),
      )
      .optional()
      .describe('Managed nodes that take Run Command deliveries late or never; the rest take them at once.'),
    alarms: z
      .array(alarmFlip)
      .optional()
      .describe(
        'CloudWatch alarms that change state at a simulated time. Setting the list replaces the flips still to come; flips made stay made.',
      ),
    snapshotFailures: z
      .array(
        z
          .object({
            instanceId: z.string(),
            mode: z
              .enum(['refused', 'error'])
              .optional()
              .describe(
                "refused (default): CreateSnapshots of the instance answers SnapshotCreationPerVolumeRateExceeded; error: its snapshots are created and end in state 'error'.",
              ),
          })
          .strict(),
      )
      .optional()
      .describe('Instances whose EBS snapshots fail.'),
    serverErrorRate: z.number().min(0).max(1).optional(),
    serverErrorRateByOperation: z.record(z.string(), z.number().min(0).max(1)).optional(),
    emptyPageRate: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/** Fault configuration. Every part is optional; `faults.set` replaces the parts it is given. */
export type FaultConfig = z.input<typeof faultConfigSchema>;
/** A token bucket throttling rule. */
export type ThrottleRule = z.input<typeof throttleRule>;

/** An alarm state change a fault makes, with its simulated time resolved. */
export interface AlarmFlip {
  readonly name: string;
  readonly accountId?: string;
  readonly region?: string;
  /** Simulated epoch ms. */
  readonly at: number;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason: string;
}

/** The empty-page rate when none is configured: low, but on. */
const DEFAULT_EMPTY_PAGE_RATE = 0.05;

/** The call a fault decision is about. */
export interface FaultSubject {
  readonly service: ServiceName;
  readonly operation: string;
  readonly accountId: string;
  readonly region: string;
}

interface Bucket {
  tokens: number;
  lastReal: number;
  lastSim: number;
}

/** What the controller reads from the sandbox: the clocks token buckets refill on, and the world's alarms. */
export interface FaultClocks {
  /** Real monotonic milliseconds. @default performance.now */
  readonly realNow?: () => number;
  /** Simulated epoch milliseconds (the sandbox's clock). @default none: buckets refill on real time only */
  readonly simNow?: () => number;
  /** Whether an `alarms` rule names an alarm of the world; a rule that names none is refused. @default any */
  readonly alarmExists?: (rule: { name: string; accountId?: string; region?: string }) => boolean;
}

/**
 * Injected faults, changeable while the sandbox runs: latency, token-bucket throttling, access
 * denied, Regions not enabled, late command delivery, CloudWatch alarm state changes at a simulated
 * time, server errors and the empty-page rate.
 *
 * Throttling starts at AWS's published quotas: SSM's Automation API rates
 * ({@link SSM_AUTOMATION_API_QUOTAS}); `set({ throttle })` replaces them (`[]`: no throttling).
 *
 * A bucket refills with the time that passed on the simulated clock, and never slower than real
 * time. Simulated time because it is AWS's clock in the simulation: automations, credentials and
 * the quota's "per second" all run on it, so a time scale or `advance()` keeps the ratio of API
 * rate to automation time that AWS has. Never slower than real time because clients wait for tokens
 * in real time (the SDK's retry backoff), so a frozen clock (`timeScale: 0`) must not starve them:
 * there the buckets refill as on AWS, once a real second. Latency runs on real time.
 *
 * @example
 * sandbox.faults.set({ throttle: [{ service: 'ssm', operation: 'StartAutomationExecution', rate: 2, burst: 2 }] });
 * sandbox.faults.set({ accessDenied: [{ accountId: '222222222222', service: 'ssm' }] });
 * sandbox.faults.reset();
 */
export class FaultController {
  private config: FaultConfig = {};
  private buckets = new Map<string, Bucket>();
  private random: Random = mulberry32(1);
  private readonly baseline: FaultConfig;

  private readonly realNow: () => number;
  private readonly simNow: (() => number) | undefined;
  private readonly alarmExists: NonNullable<FaultClocks['alarmExists']>;
  /** Alarm flips still to come, in time order. */
  private pendingFlips: AlarmFlip[] = [];

  /**
   * @param initial faults at start.
   * @param baseline settings `reset()` returns to: AWS's published quotas as throttle rules unless
   *   `throttle` is given, and the sandbox's own `emptyPageRate` option.
   * @param clocks what token buckets refill on; tests may inject them.
   */
  constructor(
    initial: FaultConfig = {},
    baseline: Pick<FaultConfig, 'emptyPageRate' | 'throttle'> = {},
    clocks: FaultClocks = {},
  ) {
    this.realNow = clocks.realNow ?? (() => performance.now());
    this.simNow = clocks.simNow;
    this.alarmExists = clocks.alarmExists ?? (() => true);
    this.set({ throttle: [...SSM_AUTOMATION_API_QUOTAS], ...baseline });
    this.baseline = this.get();
    this.set(initial);
  }

  /** Replaces the given parts of the configuration (validated); throttle buckets restart full. */
  set(patch: FaultConfig): void {
    const parsed = faultConfigSchema.safeParse(patch);
    if (!parsed.success) {
      throw new SandboxOptionsError(
        `Invalid fault configuration:\n${parsed.error.issues.map((i) => `- ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`,
        { cause: parsed.error },
      );
    }
    const unknown = (parsed.data.alarms ?? []).filter((rule) => !this.alarmExists(rule));
    if (unknown.length > 0) {
      throw new SandboxOptionsError(
        `Invalid fault configuration:\n${unknown.map((r) => `- alarms: no alarm ${r.name}${r.accountId ? ` in ${r.accountId}` : ''}${r.region ? ` in ${r.region}` : ''} in the world`).join('\n')}`,
      );
    }
    this.config = { ...this.config, ...parsed.data };
    if (patch.throttle !== undefined) this.buckets = new Map();
    if (parsed.data.alarms !== undefined) this.pendingFlips = this.resolveFlips(parsed.data.alarms);
    if (patch.seed !== undefined) this.random = mulberry32(patch.seed);
  }

  /** The current configuration. */
  get(): FaultConfig {
    return structuredClone(this.config);
  }

  /**
   * Removes every injected fault; throttling returns to AWS's published quotas and the empty-page
   * rate to the sandbox's setting (default 0.05).
   */
  reset(): void {
    this.config = structuredClone(this.baseline);
    this.buckets = new Map();
    this.pendingFlips = [];
  }

  /** Removes and returns the alarm flips due at `now` (simulated epoch ms), in time order. */
  takeDueAlarmFlips(now: number): readonly AlarmFlip[] {
    const due = this.pendingFlips.filter((f) => f.at <= now);
    if (due.length > 0) this.pendingFlips = this.pendingFlips.filter((f) => f.at > now);
    return due;
  }

  private resolveFlips(rules: readonly z.output<typeof alarmFlip>[]): AlarmFlip[] {
    const now = this.simNow?.() ?? Date.now();
    const flips = rules.map((rule) => {
      const relative = rule.at === undefined ? undefined : RELATIVE_TIME.exec(rule.at);
      const at =
        rule.at === undefined
          ? now
          : relative
            ? now + Number(relative[1]) * (UNIT_MS[relative[2] ?? 'ms'] ?? 1)
            : Math.max(now, Date.parse(rule.at));
      return {
        name: rule.name,
        ...(rule.accountId === undefined ? {} : { accountId: rule.accountId }),
        ...(rule.region === undefined ? {} : { region: rule.region }),
        at,
        state: rule.state,
        reason: rule.reason ?? `The sandbox's alarms fault set the alarm to ${rule.state}.`,
      };
    });
    // Stable: flips at the same time happen in the order listed.
    return flips
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.at - b.f.at || a.i - b.i)
      .map(({ f }) => f);
  }

  /** The empty-page rate list operations use now. */
  get emptyPageRate(): number {
    return this.config.emptyPageRate ?? DEFAULT_EMPTY_PAGE_RATE;
  }

  /** Milliseconds of latency to add to this call. */
  latencyMs(subject: FaultSubject): number {
    const latency = this.config.latency;
    if (!latency) return 0;
    const spec = lookup(latency.perOperation, subject) ?? latency;
    const jitter = spec.jitterMs ?? 0;
    let value = spec.meanMs;
    if (jitter > 0) {
      if (spec.distribution === 'normal') {
        const u = Math.max(this.random(), Number.EPSILON);
        value += jitter * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
      } else {
        value += (this.random() * 2 - 1) * jitter;
      }
    }
    return Math.max(0, value);
  }

  /** True if a throttle rule's bucket for this call is empty; otherwise takes a token from each matching rule. */
  throttled(subject: FaultSubject): boolean {
    const rules = this.config.throttle;
    if (!rules || rules.length === 0) return false;
    const real = this.realNow();
    const sim = this.simNow?.() ?? real;
    let throttled = false;
    rules.forEach((rule, index) => {
      if (!matches(rule, subject)) return;
      const dims = rule.bucketBy ?? ['service', 'operation', 'account', 'region'];
      const key = `${index}|${dims.map((d) => (d === 'account' ? subject.accountId : subject[d])).join('|')}`;
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { tokens: rule.burst, lastReal: real, lastSim: sim };
        this.buckets.set(key, bucket);
      }
      const elapsed = Math.max(real - bucket.lastReal, sim - bucket.lastSim, 0);
      bucket.tokens = Math.min(rule.burst, bucket.tokens + (elapsed * rule.rate) / 1000);
      bucket.lastReal = real;
      bucket.lastSim = sim;
      if (bucket.tokens >= 1) bucket.tokens -= 1;
      else throttled = true;
    });
    return throttled;
  }

  /** True if the call's account is denied this service/operation. */
  accessDenied(subject: FaultSubject): boolean {
    return (this.config.accessDenied ?? []).some(
      (rule) =>
        rule.accountId === subject.accountId &&
        (rule.service === undefined || rule.service === subject.service) &&
        (rule.operations === undefined || rule.operations.includes(subject.operation)),
    );
  }

  /** True if a fault rule makes `region` not enabled for `accountId`. */
  regionNotEnabled(accountId: string, region: string): boolean {
    return (this.config.regionsNotEnabled ?? []).some(
      (rule) => rule.region === region && (rule.accountId === undefined || rule.accountId === accountId),
    );
  }

  /**
   * Simulated ms after SendCommand until SSM Agent on a managed node takes delivery of a Run
   * Command: 0 unless a `commandDelivery` fault names the node, `Infinity` for a node that never does.
   */
  deliveryDelayMs(accountId: string, region: string, instanceId: string): number {
    const rule = (this.config.commandDelivery ?? []).find(
      (r) =>
        r.instanceId === instanceId &&
        (r.accountId === undefined || r.accountId === accountId) &&
        (r.region === undefined || r.region === region),
    );
    if (!rule) return 0;
    return rule.delayMs ?? Number.POSITIVE_INFINITY;
  }

  /** How a `snapshotFailures` fault makes the instance's snapshots fail, or undefined when they succeed. */
  snapshotFailure(instanceId: string): 'refused' | 'error' | undefined {
    const rule = (this.config.snapshotFailures ?? []).find((r) => r.instanceId === instanceId);
    return rule === undefined ? undefined : (rule.mode ?? 'refused');
  }

  /** True if this call should fail with the service's internal error. */
  serverError(subject: FaultSubject): boolean {
    const rate = lookup(this.config.serverErrorRateByOperation, subject) ?? this.config.serverErrorRate ?? 0;
    return rate > 0 && this.random() < rate;
  }
}

function matches(rule: ThrottleRule, s: FaultSubject): boolean {
  return (
    (rule.service === undefined || rule.service === s.service) &&
    (rule.operation === undefined || rule.operation === s.operation) &&
    (rule.accountId === undefined || rule.accountId === s.accountId) &&
    (rule.region === undefined || rule.region === s.region)
  );
}

function lookup<T>(map: Readonly<Record<string, T>> | undefined, s: FaultSubject): T | undefined {
  if (!map) return undefined;
  return map[`${s.service}:${s.operation}`] ?? map[s.operation];
}

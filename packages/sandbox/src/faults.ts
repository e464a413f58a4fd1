import { z } from 'zod';
import type { ServiceName } from './callLog.js';
import { SandboxOptionsError } from './errors.js';
import { mulberry32, type Random } from './prng.js';

const serviceName = z.enum(['sts', 'organizations', 'resource-groups', 'ssm', 's3']);

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
    rate: z.number().min(0).describe('Tokens added per real second.'),
    burst: z.number().min(0).describe('Bucket capacity (and initial tokens).'),
    bucketBy: z
      .array(z.enum(['service', 'operation', 'account', 'region']))
      .optional()
      .describe('Dimensions that get separate buckets. Default all four (AWS: per account, Region and API).'),
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
  last: number;
}

/**
 * Injected faults, changeable while the sandbox runs: latency, token-bucket throttling, access
 * denied, Regions not enabled, server errors and the empty-page rate. Token buckets and latency run
 * on real time (they model the service's front door, which a time scale does not speed up).
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

  /**
   * @param initial faults at start.
   * @param baseline settings `reset()` returns to (the sandbox's own `emptyPageRate` option).
   * @param realNow real monotonic milliseconds (token buckets); tests may inject one.
   */
  constructor(
    initial: FaultConfig = {},
    baseline: Pick<FaultConfig, 'emptyPageRate'> = {},
    private readonly realNow: () => number = () => performance.now(),
  ) {
    this.set(baseline);
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
    this.config = { ...this.config, ...parsed.data };
    if (patch.throttle !== undefined) this.buckets = new Map();
    if (patch.seed !== undefined) this.random = mulberry32(patch.seed);
  }

  /** The current configuration. */
  get(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Removes every fault; the empty-page rate returns to the sandbox's setting (default 0.05). */
  reset(): void {
    this.config = structuredClone(this.baseline);
    this.buckets = new Map();
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
    const now = this.realNow();
    let throttled = false;
    rules.forEach((rule, index) => {
      if (!matches(rule, subject)) return;
      const dims = rule.bucketBy ?? ['service', 'operation', 'account', 'region'];
      const key = `${index}|${dims.map((d) => (d === 'account' ? subject.accountId : subject[d])).join('|')}`;
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { tokens: rule.burst, last: now };
        this.buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(rule.burst, bucket.tokens + ((now - bucket.last) * rule.rate) / 1000);
      bucket.last = now;
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

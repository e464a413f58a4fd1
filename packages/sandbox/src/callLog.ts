import type { CallContext } from './contract.js';

/**
 * The services the sandbox serves, by SigV4 signing name, except CloudWatch: `cloudwatch` (its IAM
 * action prefix) is signed as `monitoring`.
 */
export type ServiceName = CallContext['service'];

/** One call the sandbox answered. */
export interface CallRecord {
  /** Simulated epoch ms when the call arrived. */
  readonly time: number;
  readonly service: ServiceName;
  readonly operation: string;
  /** The account the caller acted in ('' when the caller was not identified). */
  readonly accountId: string;
  readonly region: string;
  /** `OK`, or the error code returned (e.g. `ThrottlingException`, `NoSuchKey`). */
  readonly outcome: string;
  readonly statusCode: number;
  /** Real milliseconds from arrival to response, injected latency included. */
  readonly latencyMs: number;
}

/** Selects calls; every given field must match. */
export interface CallFilter {
  readonly service?: ServiceName;
  readonly operation?: string;
  readonly accountId?: string;
  readonly region?: string;
  /** Exact outcome (`OK` or an error code). */
  readonly outcome?: string;
  /** true: only successful calls; false: only errors. */
  readonly ok?: boolean;
  /** Simulated epoch ms: calls at or after it. */
  readonly since?: number;
}

const OK = 'OK';

/** Interns strings to small integers so that a record is a few numbers. */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
  find(value: string): number | undefined {
    return this.ids.get(value);
  }
}

/**
 * The log of every call, stored column-wise in typed arrays with interned strings (about 30 bytes
 * a call), so 100,000+ calls stay cheap to keep, count and filter.
 *
 * @example
 * sandbox.calls.count({ service: 'ssm', operation: 'StartAutomationExecution', ok: true });
 */
export class CallLog {
  private readonly strings = new Interner();
  private n = 0;
  private time = new Float64Array(1024);
  private latency = new Float32Array(1024);
  private status = new Uint16Array(1024);
  private cols: Record<'service' | 'operation' | 'account' | 'region' | 'outcome', Uint32Array> = {
    service: new Uint32Array(1024),
    operation: new Uint32Array(1024),
    account: new Uint32Array(1024),
    region: new Uint32Array(1024),
    outcome: new Uint32Array(1024),
  };

  /** Appends a call. */
  record(call: CallRecord): void {
    if (this.n === this.time.length) this.grow();
    const i = this.n++;
    this.time[i] = call.time;
    this.latency[i] = call.latencyMs;
    this.status[i] = call.statusCode;
    this.cols.service[i] = this.strings.id(call.service);
    this.cols.operation[i] = this.strings.id(call.operation);
    this.cols.account[i] = this.strings.id(call.accountId);
    this.cols.region[i] = this.strings.id(call.region);
    this.cols.outcome[i] = this.strings.id(call.outcome);
  }

  /** Number of calls logged since start or the last reset. */
  get size(): number {
    return this.n;
  }

  /** The calls that match `filter`, oldest first. */
  list(filter: CallFilter = {}): CallRecord[] {
    const out: CallRecord[] = [];
    this.scan(filter, (i) => out.push(this.at(i)));
    return out;
  }

  /** How many calls match `filter` (no records are built). */
  count(filter: CallFilter = {}): number {
    let c = 0;
    this.scan(filter, () => {
      c++;
    });
    return c;
  }

  /** Forgets every call. */
  reset(): void {
    this.n = 0;
  }

  private at(i: number): CallRecord {
    const s = this.strings.values;
    return {
      time: this.time[i]!,
      service: s[this.cols.service[i]!] as ServiceName,
      operation: s[this.cols.operation[i]!]!,
      accountId: s[this.cols.account[i]!]!,
      region: s[this.cols.region[i]!]!,
      outcome: s[this.cols.outcome[i]!]!,
      statusCode: this.status[i]!,
      latencyMs: Math.round(this.latency[i]! * 1000) / 1000,
    };
  }

  private scan(filter: CallFilter, visit: (i: number) => void): void {
    const wanted: [Uint32Array, number][] = [];
    const want = (col: Uint32Array, value: string | undefined): boolean => {
      if (value === undefined) return true;
      const id = this.strings.find(value);
      if (id === undefined) return false;
      wanted.push([col, id]);
      return true;
    };
    if (
      !want(this.cols.service, filter.service) ||
      !want(this.cols.operation, filter.operation) ||
      !want(this.cols.account, filter.accountId) ||
      !want(this.cols.region, filter.region) ||
      !want(this.cols.outcome, filter.outcome)
    ) {
      return;
    }
    const okId = this.strings.find(OK);
    for (let i = 0; i < this.n; i++) {
      if (filter.since !== undefined && this.time[i]! < filter.since) continue;
      if (filter.ok !== undefined && (this.cols.outcome[i] === okId) !== filter.ok) continue;
      let match = true;
      for (const [col, id] of wanted) {
        if (col[i] !== id) {
          match = false;
          break;
        }
      }
      if (match) visit(i);
    }
  }

  private grow(): void {
    const size = this.time.length * 2;
    const grow32 = (a: Uint32Array) => {
      const b = new Uint32Array(size);
      b.set(a);
      return b;
    };
    const t = new Float64Array(size);
    t.set(this.time);
    this.time = t;
    const l = new Float32Array(size);
    l.set(this.latency);
    this.latency = l;
    const st = new Uint16Array(size);
    st.set(this.status);
    this.status = st;
    this.cols = {
      service: grow32(this.cols.service),
      operation: grow32(this.cols.operation),
      account: grow32(this.cols.account),
      region: grow32(this.cols.region),
      outcome: grow32(this.cols.outcome),
    };
  }
}

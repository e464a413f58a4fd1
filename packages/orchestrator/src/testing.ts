/**
 * Fakes of the ports (directory, inventory, automation, patch states, run store) for testing code
 * that drives the orchestration without AWS or the sandbox: `@orgpatch/orchestrator/testing`.
 */
import type {
  AccountInfo,
  AlarmReader,
  AlarmState,
  AutomationRunner,
  AutomationStart,
  ExecutionState,
  GroupObservation,
  InstancePatchSummary,
  InventoryObservation,
  InventoryReader,
  LeaseResult,
  LeaseScope,
  Location,
  OrganizationDirectory,
  OrganizationSnapshot,
  PatchStateReader,
  RunListing,
  RunRecord,
  RunSkipNote,
  RunStore,
  ShardedRun,
  ShardedRunStore,
  TagInventoryReader,
  TagTarget,
} from '@orgpatch/core';
import { locationKey, tagTargetLabel } from '@orgpatch/core';
import type { RunDeps } from './run/deps.js';
import { isInProgress } from './store/inProgressIndex.js';
import { KeyedQueue } from './store/keyedQueue.js';
import { decideLease, type LeaseRequest } from './store/leaseDecision.js';
import { listRuns } from './store/listing.js';
import { assertArtifactName, assertLeaseKey, assertRunId } from './store/runId.js';
import { shardedAccess } from './store/shardedAccess.js';
import { LEGACY_RECORD, MANIFEST, type RunObjects, ShardedRecords, SKIP_NOTE } from './store/shardedRecords.js';
import { decodeRunLease } from './store/storedDocuments.js';

/** The location's {@link locationKey}, e.g. to key {@link FakeAutomation.startErrors}. */
export const key = (l: Location): string => locationKey(l.accountId, l.region);

/** A directory that returns a fixed snapshot and records the scopes asked for. */
export class FakeDirectory implements OrganizationDirectory {
  readonly scopes: unknown[] = [];
  constructor(readonly snapshot: OrganizationSnapshot) {}
  async discover(scope: unknown): Promise<OrganizationSnapshot> {
    this.scopes.push(scope);
    return this.snapshot;
  }
}

/**
 * Inventory from a table; records calls and the most calls in flight, globally and per account. It
 * answers for resource groups and for a tag target alike (the table names the tag's entry
 * `tag:Key=Value`).
 */
export class FakeInventory implements InventoryReader, TagInventoryReader {
  readonly calls: Location[] = [];
  maxInFlight = 0;
  maxInFlightPerAccount = 0;
  private inFlight = 0;
  private readonly perAccount = new Map<string, number>();
  constructor(private readonly table: (l: Location) => InventoryObservation) {}
  async observeTag(location: Location, tag: TagTarget): Promise<InventoryObservation> {
    return this.observe(location, [tagTargetLabel(tag)]);
  }

  async observe(location: Location, groups: readonly string[]): Promise<InventoryObservation> {
    this.calls.push(location);
    this.inFlight += 1;
    const a = (this.perAccount.get(location.accountId) ?? 0) + 1;
    this.perAccount.set(location.accountId, a);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxInFlightPerAccount = Math.max(this.maxInFlightPerAccount, a);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    this.perAccount.set(location.accountId, a - 1);
    const observed = this.table(location);
    if (observed.kind === 'groups')
      return { kind: 'groups', groups: observed.groups.filter((g) => groups.includes(g.name)) };
    return observed;
  }
}

/** Groups helper: one group with these instance ids. */
export function groups(name: string, ...instanceIds: string[]): InventoryObservation {
  const g: GroupObservation = { name, exists: true, instanceIds };
  return { kind: 'groups', groups: [g] };
}

interface FakeExecution {
  readonly input: AutomationStart;
  readonly outcome: 'Success' | 'Failed';
  describes: number;
}

/**
 * SSM Automation in memory: ClientToken idempotency as SSM documents it (same token, same
 * parameters: same execution; different parameters: IdempotentParameterMismatch), executions that
 * end after a number of describes with a chosen outcome, one child per instance.
 */
export class FakeAutomation implements AutomationRunner {
  readonly startCalls: AutomationStart[] = [];
  readonly describeCalls: { location: Location; executionId: string }[] = [];
  readonly executions = new Map<string, FakeExecution>();
  private readonly byToken = new Map<string, string>();
  private next = 1;
  /** Throws this from start in these locations. */
  readonly startErrors = new Map<string, Error>();
  /** Throws from describe this many times first. */
  describeFailures = 0;
  constructor(
    private readonly outcomeOf: (l: Location) => 'Success' | 'Failed' = () => 'Success',
    private readonly instancesOf: (l: Location, group: string) => readonly string[] = () => ['i-0000000000000001'],
    private readonly describesToEnd = 2,
  ) {}

  async start(input: AutomationStart): Promise<{ executionId: string }> {
    this.startCalls.push(input);
    const error = this.startErrors.get(key(input.location));
    if (error) throw error;
    const known = this.byToken.get(input.clientToken);
    if (known) {
      const previous = this.executions.get(known);
      if (previous && JSON.stringify(previous.input.parameters) !== JSON.stringify(input.parameters)) {
        throw Object.assign(new Error('IdempotentParameterMismatch'), { name: 'IdempotentParameterMismatch' });
      }
      return { executionId: known };
    }
    const executionId = `exec-${String(this.next++).padStart(4, '0')}`;
    this.byToken.set(input.clientToken, executionId);
    this.executions.set(executionId, { input, outcome: this.outcomeOf(input.location), describes: 0 });
    return { executionId };
  }

  async describe(location: Location, executionId: string): Promise<ExecutionState> {
    this.describeCalls.push({ location, executionId });
    if (this.describeFailures > 0) {
      this.describeFailures -= 1;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const e = this.executions.get(executionId);
    if (!e) throw Object.assign(new Error('not found'), { name: 'AutomationExecutionNotFoundException' });
    e.describes += 1;
    if (e.describes < this.describesToEnd) return { executionId, status: 'InProgress', children: [] };
    const ids = this.instancesOf(location, e.input.group);
    return {
      executionId,
      status: e.outcome,
      endedAt: '2026-11-29T00:00:00.000Z',
      ...(e.outcome === 'Failed'
        ? { failureMessage: 'Step fails when it is verifying the command has completed.' }
        : {}),
      children: ids.map((instanceId, i) => ({
        executionId: `${executionId}-c${i}`,
        instanceId,
        status: e.outcome,
      })),
    };
  }

  async stop(): Promise<void> {}

  /** Distinct executions started (what SSM would have run). */
  get started(): number {
    return this.executions.size;
  }
}

/** Patch states: every instance asked for gets a summary. */
export class FakePatchStates implements PatchStateReader {
  readonly calls: { location: Location; instanceIds: readonly string[] }[] = [];
  async read(location: Location, instanceIds: readonly string[]): Promise<ReadonlyMap<string, InstancePatchSummary>> {
    this.calls.push({ location, instanceIds });
    return new Map(
      instanceIds.map((id) => [
        id,
        { operation: 'Install', installedCount: 10, missingCount: 0, failedCount: 0, installedPendingRebootCount: 0 },
      ]),
    );
  }
}

/** What several {@link MemoryRunStore} instances share: the stored objects, index, leases and artifacts. */
interface MemoryStorage {
  readonly objects: Map<string, string>;
  readonly inProgress: Set<string>;
  readonly leases: Map<string, string>;
  readonly artifacts: Map<string, string>;
}

/**
 * A run store in memory, with the contract and the layout of the real ones: a run is a manifest and
 * shards (`<run-id>/manifest.json`, `<run-id>/shards/...`; a `<run-id>/record.json` is read as a run
 * written whole), round-tripped through JSON and validated when read; writes are conditional (a run
 * this instance has not seen is only created; one it has is replaced only if unchanged since it last
 * read or wrote it) and rewrite only the shards that changed; unfinished runs are kept in the
 * in-progress index, and leases are granted by the same rule.
 *
 * Pass another instance to share its storage: two instances are two processes on one store.
 * @example
 * const a = new MemoryRunStore();
 * const b = new MemoryRunStore(a); // same records, its own view of what it has seen
 */
export class MemoryRunStore implements RunStore {
  /** Stored run objects as JSON text, by `<run-id>/<name>` (`r1/manifest.json`, `r1/shards/0-1-....json`). */
  readonly objects: Map<string, string>;
  /** Run ids in the in-progress index. */
  readonly inProgress: Set<string>;
  /** Stored leases as JSON text, by scope key. */
  readonly leases: Map<string, string>;
  /** Artifacts by `<run-id>/<name>`. */
  readonly artifacts: Map<string, string>;
  /** Successful record writes by this instance. */
  puts = 0;
  /** The objects this instance wrote, by `<run-id>/<name>`, in order. */
  readonly written: string[] = [];
  private readonly records: ShardedRecords;
  private readonly writes = new KeyedQueue();
  /** The run a shard at a time, for the step engines. */
  readonly sharded: ShardedRunStore;

  constructor(shareWith?: MemoryRunStore) {
    const storage: MemoryStorage = shareWith ?? {
      objects: new Map(),
      inProgress: new Set(),
      leases: new Map(),
      artifacts: new Map(),
    };
    this.objects = storage.objects;
    this.inProgress = storage.inProgress;
    this.leases = storage.leases;
    this.artifacts = storage.artifacts;
    this.records = new ShardedRecords(this.runObjects());
    this.sharded = shardedAccess(this.records, {
      exclusive: (runId, task) => {
        assertRunId(runId);
        return this.writes.run(runId, task);
      },
      index: async (manifest) => {
        this.inProgress.add(manifest.runId);
      },
      unindex: async (runId) => {
        this.inProgress.delete(runId);
      },
    });
  }

  async put(record: RunRecord): Promise<void> {
    assertRunId(record.runId);
    await this.writes.run(record.runId, async () => {
      if (isInProgress(record)) this.inProgress.add(record.runId);
      await this.records.put(record);
      if (!isInProgress(record)) this.inProgress.delete(record.runId);
      this.puts += 1;
    });
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    assertRunId(runId);
    return this.records.get(runId);
  }

  async list(): Promise<readonly RunListing[]> {
    const runIds = [...this.objects.keys()].flatMap((key) => {
      const [runId, name] = key.split('/');
      return runId !== undefined && (name === MANIFEST || name === LEGACY_RECORD || name === SKIP_NOTE) ? [runId] : [];
    });
    return listRuns([...new Set(runIds)], (runId) => this.records.listing(runId));
  }

  async putSkipNote(note: RunSkipNote): Promise<void> {
    assertRunId(note.runId);
    await this.writes.run(note.runId, () => this.records.putSkipNote(note));
  }

  /** The run's manifest and its shards one at a time (see RunStore.readShards). */
  async readShards(runId: string): Promise<ShardedRun | undefined> {
    assertRunId(runId);
    return this.records.readShards(runId);
  }

  /** The objects as {@link ShardedRecords} uses them; an object's version is its text. */
  private runObjects(): RunObjects {
    const key = (runId: string, name: string): string => `${runId}/${name}`;
    return {
      where: (runId, name) => `memory://${key(runId, name)}`,
      read: async (runId, name) => {
        const text = this.objects.get(key(runId, name));
        return text === undefined ? undefined : { text, version: text };
      },
      write: async (runId, name, text, version) => {
        if (this.objects.get(key(runId, name)) !== version) return { ok: false };
        this.objects.set(key(runId, name), text);
        this.written.push(key(runId, name));
        return { ok: true, version: text };
      },
      remove: async (runId, name, version) => {
        const current = this.objects.get(key(runId, name));
        if (version !== undefined && current !== undefined && current !== version) return false;
        this.objects.delete(key(runId, name));
        return true;
      },
    };
  }

  async listInProgress(): Promise<readonly string[]> {
    return [...this.inProgress].sort();
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    assertLeaseKey(request.scope.key);
    const source = `memory://leases/${request.scope.key}.json`;
    const text = this.leases.get(request.scope.key);
    const current = text === undefined ? undefined : decodeRunLease(text, source, request.scope.key);
    const decision = decideLease(current, request);
    if (decision.kind === 'refuse') return { granted: false, holder: decision.holder };
    this.leases.set(request.scope.key, JSON.stringify(decision.lease));
    return { granted: true, lease: decision.lease };
  }

  async releaseLease(scope: LeaseScope, runId: string): Promise<void> {
    assertLeaseKey(scope.key);
    const text = this.leases.get(scope.key);
    if (text === undefined) return;
    if (decodeRunLease(text, `memory://leases/${scope.key}.json`, scope.key).runId === runId) {
      this.leases.delete(scope.key);
    }
  }

  async putArtifact(runId: string, name: string, body: string): Promise<string> {
    assertRunId(runId);
    assertArtifactName(name);
    this.artifacts.set(`${runId}/${name}`, body);
    return `memory://${runId}/${name}`;
  }

  /** Joins the chunks and keeps the artifact as {@link putArtifact} does. */
  async putArtifactChunks(runId: string, name: string, chunks: AsyncIterable<string>): Promise<string> {
    let body = '';
    for await (const chunk of chunks) body += chunk;
    return this.putArtifact(runId, name, body);
  }
}

/** An account of the fake Organization. */
export function account(id: string, ouPath: readonly string[], status: AccountInfo['status'] = 'ACTIVE'): AccountInfo {
  return { id, name: `acct-${id.slice(-4)}`, status, ouPath };
}

/** Wires fakes into RunDeps with a clock that advances one second per call and a sleep that only counts. */
export function fakeDeps(parts: {
  directory: OrganizationDirectory;
  inventory: InventoryReader;
  tagInventory?: TagInventoryReader;
  automation?: FakeAutomation;
  patchStates?: FakePatchStates;
  store?: MemoryRunStore;
}): RunDeps & { automation: FakeAutomation; patchStates: FakePatchStates; store: MemoryRunStore; sleeps: number[] } {
  let t = Date.parse('2026-11-28T12:00:00.000Z');
  const sleeps: number[] = [];
  return {
    directory: parts.directory,
    inventory: parts.inventory,
    ...(parts.tagInventory ? { tagInventory: parts.tagInventory } : {}),
    automation: parts.automation ?? new FakeAutomation(),
    patchStates: parts.patchStates ?? new FakePatchStates(),
    store: parts.store ?? new MemoryRunStore(),
    now: () => {
      t += 1000;
      return new Date(t);
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    sleeps,
  };
}

/** Health-gate alarms by name; flip one with `set`. Records every read. */
export class FakeAlarms implements AlarmReader {
  readonly states = new Map<string, AlarmState>();
  readonly reads: (readonly string[])[] = [];

  set(name: string, state: AlarmState['state'], reason = `Threshold Crossed: ${name}`): void {
    this.states.set(name, { name, state, reason });
  }

  async read(names: readonly string[]): Promise<ReadonlyMap<string, AlarmState>> {
    this.reads.push([...names]);
    return new Map(names.flatMap((n) => (this.states.has(n) ? [[n, this.states.get(n) as AlarmState] as const] : [])));
  }
}

import { createHash } from 'node:crypto';
import { AwsServiceError, type SimClock, type SimInstance, type SimWorld } from '../contract.js';

/**
 * EC2 as the pre-patch snapshot steps use it: each instance's EBS volumes (derived from the
 * instance: one root volume), CreateSnapshots of all of an instance's volumes at one point in time,
 * DescribeInstances, DescribeSnapshots and DeleteSnapshot, with the error codes of the EC2 API
 * Reference ("Error codes for the Amazon EC2 API"). Inputs and outputs use the service model's
 * member names (`InstanceSpecification`, `TagSpecifications`, `Snapshots`), as the SDK and an
 * automation's aws:executeAwsApi give them; the EC2 query protocol layer maps its wire names onto
 * these.
 */

/** Simulated time a snapshot stays `pending` before it is `completed` (or `error`). */
export const SNAPSHOT_COMPLETION_MS = 2 * 60_000;

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const SNAPSHOT_ID = /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** One EBS volume of an instance. */
interface SimVolume {
  readonly volumeId: string;
  readonly deviceName: string;
  readonly sizeGiB: number;
}

interface SimSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly instanceId: string;
  readonly ownerId: string;
  readonly description: string;
  readonly startTime: number;
  readonly fails: boolean;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
}

/** Where an EC2 call acts. */
export interface Ec2Location {
  readonly accountId: string;
  readonly region: string;
}

/** What the model needs of the sandbox. */
export interface Ec2Deps {
  readonly world: SimWorld;
  readonly clock: SimClock;
  /** How a fault makes an instance's snapshots fail, or undefined. */
  snapshotFailure(instanceId: string): 'refused' | 'error' | undefined;
}

const hex = (seed: string, length: number): string => createHash('sha256').update(seed).digest('hex').slice(0, length);

function error(code: string, message: string): AwsServiceError {
  return new AwsServiceError(code, message, 400);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

/** The EBS snapshots of every account and Region of the world, and the volumes they are taken of. */
export class Ec2Snapshots {
  private readonly snapshots = new Map<string, Map<string, SimSnapshot>>();
  private sequence = 0;

  constructor(private readonly deps: Ec2Deps) {}

  /** An instance's volumes: a root volume whose id derives from the instance's. */
  volumesOf(instance: SimInstance): SimVolume[] {
    const windows = instance.platform === 'Windows';
    return [
      {
        volumeId: `vol-${hex(instance.instanceId, 17)}`,
        deviceName: windows ? '/dev/sda1' : '/dev/xvda',
        sizeGiB: windows ? 30 : 8,
      },
    ];
  }

  DescribeInstances(at: Ec2Location, input: Record<string, unknown>): unknown {
    const ids = strings(input.InstanceIds);
    const instances = ids.map((id) => this.instance(at, id));
    return {
      Reservations: instances.map((instance) => ({
        ReservationId: `r-${hex(instance.instanceId, 17)}`,
        OwnerId: at.accountId,
        Instances: [
          {
            InstanceId: instance.instanceId,
            BlockDeviceMappings: this.volumesOf(instance).map((v) => ({
              DeviceName: v.deviceName,
              Ebs: { VolumeId: v.volumeId, Status: 'attached', DeleteOnTermination: true },
            })),
          },
        ],
      })),
    };
  }

  CreateSnapshots(at: Ec2Location, input: Record<string, unknown>): unknown {
    const spec = input.InstanceSpecification;
    if (!isRecord(spec) || typeof spec.InstanceId !== 'string') {
      throw error('MissingParameter', 'The request must contain the parameter InstanceSpecification.InstanceId');
    }
    const instance = this.instance(at, spec.InstanceId);
    const tagSpecs = Array.isArray(input.TagSpecifications) ? input.TagSpecifications.filter(isRecord) : [];
    const tags: { Key: string; Value: string }[] = [];
    for (const t of tagSpecs) {
      if (t.ResourceType !== 'snapshot') {
        throw error(
          'InvalidParameterValue',
          `'${String(t.ResourceType)}' is not a valid taggable resource type for this operation.`,
        );
      }
      for (const tag of Array.isArray(t.Tags) ? t.Tags.filter(isRecord) : []) {
        tags.push({ Key: String(tag.Key ?? ''), Value: String(tag.Value ?? '') });
      }
    }
    const failure = this.deps.snapshotFailure(instance.instanceId);
    if (failure === 'refused') {
      throw error(
        'SnapshotCreationPerVolumeRateExceeded',
        'The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.',
      );
    }
    const spot = this.spot(at);
    const now = this.deps.clock.now();
    const created = this.volumesOf(instance).map((volume): SimSnapshot => {
      this.sequence += 1;
      const snapshot: SimSnapshot = {
        snapshotId: `snap-${hex(`${at.accountId}/${at.region}/${this.sequence}`, 17)}`,
        volumeId: volume.volumeId,
        volumeSize: volume.sizeGiB,
        instanceId: instance.instanceId,
        ownerId: at.accountId,
        description: typeof input.Description === 'string' ? input.Description : '',
        startTime: now,
        fails: failure === 'error',
        // CopyTagsFromSource: 'volume' copies the volume's tags; the sandbox's volumes carry none.
        tags,
      };
      spot.set(snapshot.snapshotId, snapshot);
      return snapshot;
    });
    return { Snapshots: created.map((s) => this.view(s)) };
  }

  DescribeSnapshots(at: Ec2Location, input: Record<string, unknown>): unknown {
    const spot = this.spot(at);
    const ids = strings(input.SnapshotIds);
    for (const id of ids) {
      if (!SNAPSHOT_ID.test(id)) throw error('InvalidSnapshotID.Malformed', `Invalid id: "${id}"`);
      if (!spot.has(id)) throw error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    }
    const filters = Array.isArray(input.Filters) ? input.Filters.filter(isRecord) : [];
    for (const f of filters) {
      const name = String(f.Name ?? '');
      if (!name.startsWith('tag:') && !FILTER_NAMES.has(name))
        throw error('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    const selected = [...spot.values()].filter(
      (s) =>
        (ids.length === 0 || ids.includes(s.snapshotId)) &&
        filters.every((f) => matchesFilter(s, String(f.Name ?? ''), strings(f.Values), this.stateOf(s).State)),
    );
    return { Snapshots: selected.map((s) => this.view(s)) };
  }

  DeleteSnapshot(at: Ec2Location, input: Record<string, unknown>): unknown {
    const id = typeof input.SnapshotId === 'string' ? input.SnapshotId : '';
    if (id === '') throw error('MissingParameter', 'The request must contain the parameter SnapshotId');
    if (!SNAPSHOT_ID.test(id)) throw error('InvalidSnapshotID.Malformed', `Invalid id: "${id}"`);
    if (!this.spot(at).delete(id)) throw error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    return {};
  }

  private instance(at: Ec2Location, instanceId: string): SimInstance {
    if (!INSTANCE_ID.test(instanceId)) throw error('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
    const instance = this.deps.world.accounts.get(at.accountId)?.regions.get(at.region)?.instances.get(instanceId);
    if (!instance) throw error('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return instance;
  }

  private spot(at: Ec2Location): Map<string, SimSnapshot> {
    const key = `${at.accountId}/${at.region}`;
    let spot = this.snapshots.get(key);
    if (!spot) {
      spot = new Map();
      this.snapshots.set(key, spot);
    }
    return spot;
  }

  private stateOf(s: SimSnapshot): { State: string; Progress: string; StateMessage?: string } {
    if (this.deps.clock.now() < s.startTime + SNAPSHOT_COMPLETION_MS) return { State: 'pending', Progress: '0%' };
    return s.fails
      ? { State: 'error', Progress: '0%', StateMessage: 'Snapshot creation failed (sandbox fault).' }
      : { State: 'completed', Progress: '100%' };
  }

  private view(s: SimSnapshot): Record<string, unknown> {
    return {
      SnapshotId: s.snapshotId,
      VolumeId: s.volumeId,
      VolumeSize: s.volumeSize,
      OwnerId: s.ownerId,
      Description: s.description,
      StartTime: new Date(s.startTime),
      Encrypted: false,
      ...this.stateOf(s),
      Tags: s.tags.map((t) => ({ ...t })),
    };
  }
}

const FILTER_NAMES = new Set(['tag-key', 'snapshot-id', 'volume-id', 'owner-id', 'status']);

/** DescribeSnapshots filters the sandbox knows: tag:<key>, tag-key, snapshot-id, volume-id, owner-id, status. */
function matchesFilter(s: SimSnapshot, name: string, values: readonly string[], state: string): boolean {
  if (name.startsWith('tag:')) return s.tags.some((t) => t.Key === name.slice(4) && values.includes(t.Value));
  switch (name) {
    case 'tag-key':
      return s.tags.some((t) => values.includes(t.Key));
    case 'snapshot-id':
      return values.includes(s.snapshotId);
    case 'volume-id':
      return values.includes(s.volumeId);
    case 'owner-id':
      return values.includes(s.ownerId);
    default:
      return values.includes(state);
  }
}

/** The EC2 operations the model serves, by name. */
const OPERATIONS = ['DescribeInstances', 'CreateSnapshots', 'DescribeSnapshots', 'DeleteSnapshot'] as const;

/**
 * Calls an EC2 operation of the model by name, as an automation step names it (`Service: ec2`).
 * @throws AwsServiceError for another service or an operation the sandbox does not serve.
 */
export function ec2Call(
  ec2: Ec2Snapshots,
  service: string,
  api: string,
  input: Record<string, unknown>,
  at: Ec2Location,
): unknown {
  const operation = OPERATIONS.find((o) => o === api);
  if (service !== 'ec2' || operation === undefined) {
    throw new AwsServiceError('UnknownOperationException', `The orgpatch sandbox does not simulate ${service}:${api}.`);
  }
  return ec2[operation](at, input);
}

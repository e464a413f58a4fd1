import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { arnPrefix, partitionOf } from '@orgpatch/core';
import { AssumeRoleError, type AssumeRoleFailure } from '../errors.js';
import {
  awsErrorCode,
  awsErrorMessage,
  isAccessDenied,
  isExpiredCredentials,
  isRegionNotEnabled,
  isThrottled,
} from './awsErrors.js';
import type { AwsClientFactory, AwsCredentials } from './clients.js';

/** Credentials to act in a given account from a given Region. */
export interface AccountCredentials {
  /**
   * Credentials for `accountId`, used from `region`. `undefined` means "the orchestrator's own
   * credentials" (the blog's single-account case). Throws {@link AssumeRoleError}.
   */
  get(accountId: string, region: string): Promise<AwsCredentials | undefined>;
  /**
   * Forgets what is cached for the account, so the next `get` fetches fresh credentials, after AWS
   * answered that the session expired (`expired`) or refused its credentials (`refused`); returns
   * whether it did, i.e. whether fresh credentials are worth a try.
   */
  invalidate(accountId: string, region: string, cause: 'expired' | 'refused'): boolean;
}

/** The orchestrator's own credentials for every account: the blog's single-account meaning. */
export class CallerCredentials implements AccountCredentials {
  async get(): Promise<AwsCredentials | undefined> {
    return undefined;
  }
  invalidate(): boolean {
    return false;
  }
}

/**
 * Whether cached session credentials should be renewed now: they expire within `marginMs` (or
 * already have). Credentials without an expiration never need it.
 */
export function needsRefresh(expiration: Date | undefined, nowMs: number, marginMs: number): boolean {
  if (!expiration) return false;
  return expiration.getTime() - nowMs <= marginMs;
}

/** Options of {@link AssumedRoleCredentials}. */
export interface AssumedRoleCredentialsOptions {
  readonly clients: AwsClientFactory;
  /** Name of the member execution role (core's EXECUTION_ROLE_NAME unless the request names another). */
  readonly roleName: string;
  /** Session name shown in CloudTrail: `orgpatch-<run id prefix>`. @default 'orgpatch' */
  readonly sessionName?: string;
  /**
   * Session length. Role chaining (a Lambda's role assuming another) caps it at one hour.
   * @default 3600
   */
  readonly durationSeconds?: number;
  /** Renew credentials this long before they expire. @default 600_000 (10 minutes) */
  readonly refreshMarginMs?: number;
  /** The clock the expiry is compared against (the sandbox's simulated clock in tests). @default Date.now */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly credentials?: AwsCredentials;
  /** When the session was obtained, on the credentials' clock. */
  readonly issuedAt?: number;
  readonly failure?: AssumeRoleError;
}

/**
 * A session this young that AWS refuses (UnrecognizedClientException, InvalidClientTokenId) is not
 * stale: a Region refuses it, most often an opt-in Region the account has not enabled, which
 * refuses every session alike. Regional STS sessions are valid in every Region, opt-in ones
 * included, so a new session is only worth a try for an older one (forgotten or revoked).
 */
const FRESH_SESSION_MS = 5 * 60_000;

/** Makes a RoleSessionName out of a run id: `orgpatch-<prefix>`, within STS's 64 characters and its pattern. */
export function roleSessionName(runId: string | undefined): string {
  if (!runId) return 'orgpatch';
  const safe = runId.replace(/[^\w+=,.@-]/g, '-');
  return `orgpatch-${safe}`.slice(0, 64);
}

/**
 * Assumes `arn:<partition>:iam::<account>:role/<roleName>` once per account and partition, caches
 * the session, and renews it before it expires (a run can outlast a role-chained session's hour).
 * STS is called in the orchestrator's home Region when it is in the target's partition (regional
 * STS tokens are valid in every Region, opt-in ones included), else in the target Region.
 * A refused AssumeRole (the role is not there, or does not trust the orchestrator) is remembered,
 * so an account without member stacks costs one call, not one per Region.
 */
export class AssumedRoleCredentials implements AccountCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<AwsCredentials>>();
  /** One STS client per Region, so the SDK's adaptive retry sees every AssumeRole of the run (STS throttles per caller). */
  private readonly sts = new Map<string, ReturnType<AwsClientFactory['sts']>>();
  private readonly options: AssumedRoleCredentialsOptions;
  private readonly now: () => number;
  /** AssumeRole calls made (for tests and the benchmark). */
  assumeRoleCalls = 0;

  constructor(options: AssumedRoleCredentialsOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The role ARN assumed in an account, with the partition of the Region it is used from. */
  roleArn(accountId: string, region: string): string {
    return `${arnPrefix(partitionOf(region))}:iam::${accountId}:role/${this.options.roleName}`;
  }

  async get(accountId: string, region: string): Promise<AwsCredentials> {
    const key = `${partitionOf(region)}:${accountId}`;
    const cached = this.cache.get(key);
    if (cached?.failure) throw cached.failure;
    const margin = this.options.refreshMarginMs ?? 600_000;
    if (cached?.credentials && !needsRefresh(cached.credentials.expiration, this.now(), margin))
      return cached.credentials;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const promise = this.assume(accountId, region, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  invalidate(accountId: string, region: string, cause: 'expired' | 'refused'): boolean {
    const key = `${partitionOf(region)}:${accountId}`;
    const cached = this.cache.get(key);
    if (!cached?.credentials) return true;
    if (cause === 'refused' && this.now() - (cached.issuedAt ?? Number.NEGATIVE_INFINITY) < FRESH_SESSION_MS) {
      return false;
    }
    this.cache.delete(key);
    return true;
  }

  private stsRegion(region: string): string {
    const home = this.options.clients.homeRegion;
    return home && partitionOf(home) === partitionOf(region) ? home : region;
  }

  private async assume(accountId: string, region: string, key: string): Promise<AwsCredentials> {
    const roleArn = this.roleArn(accountId, region);
    const stsRegion = this.stsRegion(region);
    let sts = this.sts.get(stsRegion);
    if (!sts) {
      sts = this.options.clients.sts(stsRegion);
      this.sts.set(stsRegion, sts);
    }
    this.assumeRoleCalls += 1;
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.sessionName ?? 'orgpatch',
          DurationSeconds: this.options.durationSeconds ?? 3600,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new Error('AssumeRole answered without credentials');
      }
      const credentials: AwsCredentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
      this.cache.set(key, { credentials, issuedAt: this.now() });
      return credentials;
    } catch (error) {
      const failure = classifyAssumeRole(error);
      const code = awsErrorCode(error);
      const err = new AssumeRoleError(
        accountId,
        roleArn,
        failure,
        code,
        assumeRoleMessage(accountId, roleArn, failure, code, awsErrorMessage(error)),
        { cause: error },
      );
      if (failure === 'member-stack-missing') this.cache.set(key, { failure: err });
      throw err;
    }
  }
}

function classifyAssumeRole(error: unknown): AssumeRoleFailure {
  if (isAccessDenied(error)) return 'member-stack-missing';
  if (isRegionNotEnabled(error) && awsErrorCode(error) === 'RegionDisabledException') return 'region-not-enabled';
  if (isExpiredCredentials(error)) return 'credentials-expired';
  if (isThrottled(error)) return 'throttled';
  return 'service-error';
}

function assumeRoleMessage(
  accountId: string,
  roleArn: string,
  failure: AssumeRoleFailure,
  code: string,
  message: string,
): string {
  switch (failure) {
    case 'member-stack-missing':
      return `Cannot assume ${roleArn} in account ${accountId} (${code}): the member stack is not deployed there or its role does not trust this orchestrator. Deploy the orgpatch member StackSet to the account.`;
    case 'region-not-enabled':
      return `STS is not enabled in the Region used to assume ${roleArn} (${code}): enable the Region or set AWS_REGION to an enabled one.`;
    case 'credentials-expired':
      return `The orchestrator's own credentials have expired (${code}) while assuming ${roleArn}: refresh them and run again.`;
    case 'throttled':
      return `STS throttled AssumeRole of ${roleArn} beyond the SDK's retries (${code}): lower Concurrency and run again.`;
    default:
      return `AssumeRole of ${roleArn} in account ${accountId} failed (${code}): ${message}`;
  }
}

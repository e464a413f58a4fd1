import { randomBytes } from 'node:crypto';
import type { SandboxWorld } from './world/model.js';

/** Who a set of credentials stands for. */
export interface Principal {
  readonly accountId: string;
  readonly roleName: string;
  /** `arn:<partition>:iam::<account>:role/<name>`. */
  readonly roleArn: string;
  /** `arn:<partition>:sts::<account>:assumed-role/<name>/<session>`. */
  readonly principalArn: string;
  readonly sessionName: string;
  /** `AROA...:<session>` as GetCallerIdentity reports `UserId`. */
  readonly userId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Only temporary (ASIA) credentials have one. */
  readonly sessionToken?: string;
  /** Simulated epoch ms after which temporary credentials are rejected. */
  readonly expiration?: number;
}

/** Why credentials were rejected. */
export type CredentialProblem = 'unknown-key' | 'bad-session-token' | 'expired';

/** What {@link IdentityStore.resolve} found. */
export type ResolvedIdentity =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly problem: CredentialProblem };

/** What STS AssumeRole asks the store to issue. */
export interface SessionRequest {
  readonly accountId: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly expiration: number;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Access keys the sandbox knows: the orchestrator principal's long-term key (from the world) and the
 * temporary keys STS AssumeRole issued, bound to (account, role) and expiring on the simulated clock.
 */
export class IdentityStore {
  private readonly keys = new Map<string, Principal>();
  private readonly partition: string;
  private issued = 0;

  constructor(world: SandboxWorld) {
    this.partition = world.partition;
    const o = world.orchestrator;
    const role = world.accounts.get(world.managementAccountId)?.roles.get(o.roleName);
    this.keys.set(o.accessKeyId, {
      accountId: world.managementAccountId,
      roleName: o.roleName,
      roleArn: o.roleArn,
      principalArn: o.sessionArn,
      sessionName: o.sessionName,
      userId: `${role?.roleId ?? 'AROAORCHESTRATOR'}:${o.sessionName}`,
      accessKeyId: o.accessKeyId,
      secretAccessKey: o.secretAccessKey,
    });
  }

  /** Looks up an access key (and checks the session token and expiry of temporary keys) at simulated `now`. */
  resolve(accessKeyId: string, sessionToken: string | undefined, now: number): ResolvedIdentity {
    const principal = this.keys.get(accessKeyId);
    if (!principal) return { ok: false, problem: 'unknown-key' };
    if (principal.sessionToken !== undefined && principal.sessionToken !== sessionToken) {
      return { ok: false, problem: 'bad-session-token' };
    }
    if (principal.expiration !== undefined && now >= principal.expiration) return { ok: false, problem: 'expired' };
    return { ok: true, principal };
  }

  /** Issues temporary credentials (`ASIA...` key, secret, session token). */
  issueSession(request: SessionRequest, now: number): Principal {
    if (++this.issued % 1024 === 0) this.prune(now);
    const accessKeyId = `ASIA${randomKey(16)}`;
    const principal: Principal = {
      accountId: request.accountId,
      roleName: request.roleName,
      roleArn: request.roleArn,
      principalArn: `arn:${this.partition}:sts::${request.accountId}:assumed-role/${request.roleName}/${request.sessionName}`,
      sessionName: request.sessionName,
      userId: `${request.roleId}:${request.sessionName}`,
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      expiration: request.expiration,
    };
    this.keys.set(accessKeyId, principal);
    return principal;
  }

  /** Number of keys known (long-term and temporary). */
  get size(): number {
    return this.keys.size;
  }

  /** Forgets temporary keys that expired more than a simulated day ago (their callers get "unknown key" then, as AWS would say "invalid"). */
  private prune(now: number): void {
    for (const [key, p] of this.keys) {
      if (p.expiration !== undefined && p.expiration + 86_400_000 < now) this.keys.delete(key);
    }
  }
}

function randomKey(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return out;
}

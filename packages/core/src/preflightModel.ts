import type { InventoryErrorKind } from './inventory.js';

/**
 * The preflight (`orgpatch doctor`): what was read in each account and Region before any window,
 * and the problems found, each with its fix. Types only; {@link evaluatePreflight} decides.
 */

/** What a preflight checks, in the order a run depends on them. */
export type PreflightCheck =
  /** The payload names an account discovery did not find. */
  | 'account'
  /** The member execution role can be assumed (account-wide). */
  | 'execution-role'
  /** The Region is enabled for the account. */
  | 'region'
  /** The target groups could be read at all (access, throttling, AWS errors). */
  | 'inventory'
  /** The automation document exists at the version started, is Active, and is this orgpatch's runbook. */
  | 'automation-document'
  /** The role SSM Automation assumes exists (account-wide). */
  | 'automation-role'
  /** The target resource groups exist. */
  | 'target-groups'
  /** The target groups hold nothing but instances. */
  | 'group-members'
  /** The target instances are SSM managed nodes and online. */
  | 'managed-nodes';

/** `error`: a run would fail there. `warning`: a run would skip it, or do less than asked, but not fail. */
export type PreflightSeverity = 'error' | 'warning';

/** One problem: where, which check, what was found and the one thing to do about it. */
export interface PreflightProblem {
  readonly accountId: string;
  /** Absent for an account-wide check (IAM roles are global). */
  readonly region?: string;
  readonly check: PreflightCheck;
  readonly severity: PreflightSeverity;
  readonly found: string;
  /** One actionable sentence. */
  readonly fix: string;
}

/** The automation document as GetDocument answered for one location. */
export type DocumentObservation =
  | {
      readonly kind: 'found';
      readonly name: string;
      /** The version GetDocument returned (the default version unless the payload names one). */
      readonly version: string;
      readonly versionName?: string;
      /** `Creating`, `Active`, `Updating`, `Deleting` or `Failed`. */
      readonly status: string;
      readonly statusInformation?: string;
      /** SHA-256 (hex) of the content's canonical JSON; undefined when the content is not JSON. */
      readonly contentSha256?: string;
      /** The parameter names the document declares. */
      readonly parameters: readonly string[];
    }
  /** `InvalidDocument`: no document of that name. */
  | { readonly kind: 'missing'; readonly code: string; readonly message: string }
  /** `InvalidDocumentVersion`: the document exists, the version asked for does not. */
  | { readonly kind: 'version-missing'; readonly code: string; readonly message: string }
  | { readonly kind: 'error'; readonly error: InventoryErrorKind; readonly code: string; readonly message: string };

/** The automation role as IAM GetRole answered in one account. */
export type RoleObservation =
  | { readonly kind: 'found'; readonly arn: string }
  | { readonly kind: 'missing'; readonly arn: string; readonly code: string; readonly message: string }
  | {
      readonly kind: 'error';
      readonly arn: string;
      readonly error: InventoryErrorKind;
      readonly code: string;
      readonly message: string;
    };

/** The managed nodes of one location (DescribeInstanceInformation): id to PingStatus. */
export type NodesObservation =
  | { readonly kind: 'nodes'; readonly pingStatus: ReadonlyMap<string, string> }
  | { readonly kind: 'error'; readonly error: InventoryErrorKind; readonly code: string; readonly message: string };

/** What a preflight found. */
export interface PreflightReport {
  /** Errors first, then by account, Region and check. */
  readonly problems: readonly PreflightProblem[];
  readonly counts: {
    /** Checks that found nothing wrong (an account-wide check counts once per account). */
    readonly passed: number;
    readonly errors: number;
    readonly warnings: number;
    /** Locations checked (accounts in scope that are ACTIVE and not excluded, in each Region). */
    readonly locations: number;
    /** Locations not checked because a run would not go there (suspended, excluded, management account). */
    readonly notChecked: number;
  };
  /** true when no problem would make a run fail (warnings allowed). */
  readonly ok: boolean;
}

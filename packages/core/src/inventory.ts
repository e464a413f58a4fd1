/** One (account, Region) pair: the unit orgpatch plans, starts and reports. */
export interface Location {
  readonly accountId: string;
  readonly region: string;
}

/** What one resource group held in one location. */
export interface GroupObservation {
  readonly name: string;
  /** false when the group does not exist in that account and Region. */
  readonly exists: boolean;
  /** EC2 instance ids and managed node ids (mi-...) that are members of the group. */
  readonly instanceIds: readonly string[];
}

/** Why a location could not be inspected. Each maps to a plan decision and reason. */
export type InventoryErrorKind =
  | 'access-denied'
  | 'region-not-enabled'
  | 'member-stack-missing'
  | 'throttled'
  | 'credentials-expired'
  | 'service-error';

/** The observation of one location: its groups, or why they could not be read. */
export type InventoryObservation =
  | { readonly kind: 'groups'; readonly groups: readonly GroupObservation[] }
  | { readonly kind: 'error'; readonly error: InventoryErrorKind; readonly code: string; readonly message: string };

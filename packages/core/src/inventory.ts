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
  /**
   * EC2 instance ids and managed node ids (mi-...) that are members of the group. For a tag target
   * (named `tag:Key=Value`): the managed EC2 instances that carry the tag.
   */
  readonly instanceIds: readonly string[];
  /**
   * Members that are neither instances nor managed nodes, counted by resource type, e.g.
   * `{ 'AWS::EC2::Volume': 2 }`; absent when there are none.
   */
  readonly otherMembers?: Readonly<Record<string, number>>;
  /**
   * For a tag target: hybrid managed nodes (mi-...) that carry the tag. The tag target does not
   * reach them (the document's TargetType is `/AWS::EC2::Instance`); absent when there are none.
   */
  readonly hybridNodeIds?: readonly string[];
}

/** Why a location could not be inspected. Each maps to a plan decision and reason. */
export type InventoryErrorKind =
  | 'access-denied'
  | 'region-not-enabled'
  | 'member-stack-missing'
  | 'throttled'
  | 'credentials-expired'
  | 'service-error';

/** The observation of one location: its groups (or its tag target, as one entry), or why they could not be read. */
export type InventoryObservation =
  | { readonly kind: 'groups'; readonly groups: readonly GroupObservation[] }
  | { readonly kind: 'error'; readonly error: InventoryErrorKind; readonly code: string; readonly message: string };

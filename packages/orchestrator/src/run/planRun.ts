import type {
  DiscoveryScope,
  InventoryObservation,
  InventoryReader,
  Location,
  OrganizationSnapshot,
  PatchRequest,
  Plan,
} from '@orgpatch/core';
import { buildPlan, locationKey, requiredInventory, type TagInventoryReader, tagTargetOf } from '@orgpatch/core';
import type { RunDeps } from './deps.js';
import { type AccountLimiter, createAccountLimiter, mapLimited } from './limiter.js';

/** What planning found: the Organization as discovered, the observations, and the plan built from them. */
export interface PlanResult {
  readonly organization: OrganizationSnapshot;
  readonly observations: ReadonlyMap<string, InventoryObservation>;
  readonly plan: Plan;
}

/**
 * The accounts discovery must find for a request: the target OUs and accounts and those its waves
 * name. Without an Organization part it is empty: the caller's account only, as in the blog.
 */
export function discoveryScope(request: PatchRequest): DiscoveryScope {
  const org = request.organization;
  if (!org) return { ouIds: [], accountIds: [] };
  const ouIds = new Set<string>(org.targetOus);
  const accountIds = new Set<string>(org.accounts);
  for (const wave of org.waves) {
    for (const ou of wave.targetOus) ouIds.add(ou);
    for (const account of wave.accounts) accountIds.add(account);
  }
  return { ouIds: [...ouIds], accountIds: [...accountIds] };
}

/**
 * Discovers the accounts, observes every location the plan needs (its target resource groups, or
 * the managed nodes that carry its tag target), and builds the plan. Observation fans out under a global limit and a per-account limit
 * (`request.concurrency`); nothing is started.
 */
export async function planRun(
  request: PatchRequest,
  deps: Pick<RunDeps, 'directory' | 'inventory' | 'tagInventory' | 'logger' | 'onProgress'>,
): Promise<PlanResult> {
  const organization = await deps.directory.discover(discoveryScope(request));
  deps.onProgress?.({ phase: 'discover', accounts: organization.accounts.length, done: true });
  deps.logger?.info('Discovered accounts', {
    accounts: organization.accounts.length,
    organizationId: organization.organizationId,
  });

  const locations = requiredInventory({ request, organization });
  const observations = await observeLocations(request, locations, deps);
  const plan = buildPlan({ request, organization, observations });
  deps.logger?.info('Plan built', { ...plan.counts });
  return { organization, observations, plan };
}

/**
 * Observes `locations` (their target groups, or the managed nodes with the request's tag) under the
 * request's global and per-account limits (or `deps.limiter`, shared with other steps), keyed by
 * {@link locationKey}.
 */
export async function observeLocations(
  request: PatchRequest,
  locations: readonly Location[],
  deps: Pick<RunDeps, 'inventory' | 'tagInventory' | 'onProgress'> & { readonly limiter?: AccountLimiter },
): Promise<Map<string, InventoryObservation>> {
  const observe = observer(request, deps);
  const limiter = deps.limiter ?? createAccountLimiter(request.concurrency);
  const observations = new Map<string, InventoryObservation>();
  let done = 0;
  deps.onProgress?.({ phase: 'inventory', done, total: locations.length });
  await mapLimited(
    locations,
    limiter,
    (l) => l.accountId,
    async (location) => {
      const observation = await observeSafely(observe, location);
      observations.set(locationKey(location.accountId, location.region), observation);
      done += 1;
      deps.onProgress?.({ phase: 'inventory', done, total: locations.length });
    },
  );
  return observations;
}

/**
 * Inventory readers observe AWS errors instead of throwing; anything that still escapes (a bug, a
 * network stack error) fails that one location in the plan rather than the whole run.
 */
async function observeSafely(
  observe: (location: Location) => Promise<InventoryObservation>,
  location: Location,
): Promise<InventoryObservation> {
  try {
    return await observe(location);
  } catch (error) {
    return {
      kind: 'error',
      error: 'service-error',
      code: error instanceof Error ? error.name : 'Error',
      message: `Reading the targets in account ${location.accountId}, Region ${location.region} failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** How a location's targets are observed: its resource groups, or the managed nodes with its tag. */
function observer(
  request: PatchRequest,
  deps: { readonly inventory: InventoryReader; readonly tagInventory?: TagInventoryReader },
): (location: Location) => Promise<InventoryObservation> {
  const tag = tagTargetOf(request);
  if (tag === undefined) return (location) => deps.inventory.observe(location, request.resourceGroups);
  const tags = deps.tagInventory;
  if (tags === undefined) {
    throw new TypeError('The request targets a tag, but the run has no tag inventory (RunDeps.tagInventory)');
  }
  return (location) => tags.observeTag(location, tag);
}

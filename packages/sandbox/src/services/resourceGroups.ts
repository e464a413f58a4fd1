import type { CallContext, ServiceHandlers, SimRegion } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { instanceArn, resourceArn, type SandboxGroup } from '../world/model.js';
import { optionalString, readPageSize, type ServiceContext } from './context.js';

/**
 * AWS Resource Groups (restJson1): ListGroups, GetGroup and ListGroupResources in the caller's
 * account and Region. Members are the location's EC2 instances (`AWS::EC2::Instance`), hybrid
 * managed nodes (`AWS::SSM::ManagedInstance`) and, when the world says so, other resources (volumes,
 * security groups, network interfaces) with their own ResourceType and ARN, as a tag-based group
 * without ResourceTypeFilters holds them. MaxResults 1..50 (default 50); pages may come back empty
 * with a NextToken.
 */

/** restJson1 routes: HTTP method and path of each operation, as the SDK's serializers send them. */
export const RESOURCE_GROUPS_ROUTES: Readonly<Record<string, string>> = {
  'POST /groups-list': 'ListGroups',
  'POST /get-group': 'GetGroup',
  'POST /list-group-resources': 'ListGroupResources',
};

const MAX_RESULTS = 50;
const EC2_TYPE = 'AWS::EC2::Instance';
const MANAGED_TYPE = 'AWS::SSM::ManagedInstance';
const GROUP_ARN = /^arn:aws(-[a-z-]+)?:resource-groups:([a-z0-9-]+):(\d{12}):group\/([a-zA-Z0-9_.-]{1,300})$/;

function badRequest(message: string): DetailedServiceError {
  return new DetailedServiceError('BadRequestException', message, 400);
}

/** Builds the Resource Groups handlers over the world. */
export function createResourceGroupsService(context: ServiceContext): ServiceHandlers {
  const { world } = context;
  const groupArn = (ctx: CallContext, name: string) =>
    `arn:${world.partition}:resource-groups:${ctx.region}:${ctx.accountId}:group/${name}`;
  const regionOf = (ctx: CallContext): SimRegion | undefined =>
    world.accounts.get(ctx.accountId)?.regions.get(ctx.region);

  const findGroup = (input: Record<string, unknown>, ctx: CallContext): SandboxGroup => {
    const group = optionalString(input, 'Group');
    const groupName = optionalString(input, 'GroupName');
    const ref = group ?? groupName;
    if (ref === undefined || ref === '')
      throw badRequest('Either the Group or the GroupName parameter must be specified.');
    let name = ref;
    const arn = GROUP_ARN.exec(ref);
    if (arn) {
      if (arn[2] !== ctx.region || arn[3] !== ctx.accountId) {
        throw new DetailedServiceError('NotFoundException', `Cannot find group ${ref}.`, 404);
      }
      name = arn[4]!;
    } else if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(ref)) {
      throw badRequest(
        `1 validation error detected: Value '${ref}' at 'group' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_\\.-]{1,128}|arn:...`,
      );
    }
    const found = regionOf(ctx)?.groups.get(name) as SandboxGroup | undefined;
    if (!found) throw new DetailedServiceError('NotFoundException', `Cannot find group ${name}.`, 404);
    return found;
  };
  const pageSize = (input: Record<string, unknown>) => {
    const size = readPageSize(input.MaxResults, 1, MAX_RESULTS, MAX_RESULTS);
    if (!size.ok) throw badRequest(size.message);
    return size.size;
  };
  const page = <T>(input: Record<string, unknown>, items: readonly T[], scope: string) => {
    const token = optionalString(input, 'NextToken');
    const result = context.pager.page(items, {
      scope,
      pageSize: pageSize(input),
      ...(token === undefined ? {} : { nextToken: token }),
      emptyPageRate: context.faults.emptyPageRate,
    });
    if (!result) throw badRequest('The NextToken value is not valid.');
    return result;
  };
  const typeFilter = (input: Record<string, unknown>): Set<string> | undefined => {
    const filters = Array.isArray(input.Filters) ? (input.Filters as { Name?: unknown; Values?: unknown }[]) : [];
    let types: Set<string> | undefined;
    for (const f of filters) {
      if (f.Name !== 'resource-type')
        throw badRequest(`Filter name ${String(f.Name)} is not valid; use resource-type.`);
      const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
      if (values.length === 0 || values.length > 5) throw badRequest('A resource-type filter takes 1 to 5 values.');
      const invalid = values.filter((v) => !/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(v));
      if (invalid.length > 0)
        throw badRequest(`The resource types specified as filters in the request are not valid: ${invalid.join(', ')}`);
      types = new Set(values);
    }
    return types;
  };

  return {
    ListGroups: (input, ctx) => {
      const filters = Array.isArray(input.Filters) ? (input.Filters as { Name?: unknown; Values?: unknown }[]) : [];
      // A sandbox group is a tag query over EC2 instances and managed nodes, plus the types of its other members.
      const region = regionOf(ctx);
      const kept = (group: SandboxGroup) =>
        filters.every((f) => {
          const values = Array.isArray(f.Values) ? f.Values : [];
          if (f.Name === 'resource-type') {
            const types = new Set([
              EC2_TYPE,
              MANAGED_TYPE,
              'AWS::AllSupported',
              ...(group.resourceIds ?? []).map((id) => region?.resources?.get(id)?.type),
            ]);
            return values.some((v) => types.has(v));
          }
          if (f.Name === 'configuration-type') return false;
          throw badRequest(
            `Filter name ${String(f.Name)} is not supported by the sandbox; use resource-type or configuration-type.`,
          );
        });
      const groups = [...(region?.groups.values() ?? [])].filter(kept);
      const p = page(input, groups, `ListGroups:${ctx.accountId}:${ctx.region}`);
      const items = p.items as readonly SandboxGroup[];
      return {
        GroupIdentifiers: items.map((g) => ({ GroupName: g.name, GroupArn: groupArn(ctx, g.name) })),
        Groups: items.map((g) => ({
          GroupArn: groupArn(ctx, g.name),
          Name: g.name,
          ...(g.description ? { Description: g.description } : {}),
        })),
        NextToken: p.nextToken,
      };
    },
    GetGroup: (input, ctx) => {
      const group = findGroup(input, ctx);
      return {
        Group: {
          GroupArn: groupArn(ctx, group.name),
          Name: group.name,
          ...(group.description ? { Description: group.description } : {}),
        },
      };
    },
    ListGroupResources: (input, ctx) => {
      const group = findGroup(input, ctx);
      const types = typeFilter(input);
      pageSize(input);
      const others = regionOf(ctx)?.resources;
      const resources = [
        ...group.instanceIds.map((id) => ({
          ResourceArn: instanceArn(world.partition, ctx.region, ctx.accountId, id),
          ResourceType: id.startsWith('mi-') ? MANAGED_TYPE : EC2_TYPE,
        })),
        ...(group.resourceIds ?? []).flatMap((id) => {
          const resource = others?.get(id);
          if (!resource) return [];
          return [
            {
              ResourceArn: resourceArn(world.partition, ctx.region, ctx.accountId, resource.type, resource.id),
              ResourceType: resource.type,
            },
          ];
        }),
      ].filter((r) => !types || types.has(r.ResourceType));
      const p = page(
        input,
        resources,
        `ListGroupResources:${ctx.accountId}:${ctx.region}:${group.name}:${[...(types ?? [])].join(',')}`,
      );
      return {
        Resources: p.items.map((r) => ({ Identifier: r })),
        ResourceIdentifiers: p.items,
        NextToken: p.nextToken,
        QueryErrors: group.queryErrors ?? [],
      };
    },
  };
}

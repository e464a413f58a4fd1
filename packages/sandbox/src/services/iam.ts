import type { ServiceHandlers } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { optionalString, type ServiceContext } from './context.js';

/**
 * AWS IAM (awsQuery, API version 2010-05-08, signed for the partition's global Region): GetRole,
 * which `orgpatch doctor` uses to see whether an account's automation role exists. Roles are the
 * world's: what the member stacks installed (and what a test removed). IAM identity policies are not
 * evaluated (README, "Known differences"); an `accessDenied` fault for `iam` denies the call.
 */

/** IAM model, `GetRoleRequest.RoleName` (`roleNameType`): 1 to 64 of `[\w+=,.@-]`. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Builds the IAM handlers (inputs are the form parameters of the awsQuery request). */
export function createIamService(context: ServiceContext): ServiceHandlers {
  const { world } = context;
  return {
    GetRole: (input, ctx) => {
      const roleName = optionalString(input, 'RoleName') ?? '';
      if (!ROLE_NAME.test(roleName)) {
        throw new DetailedServiceError(
          'ValidationError',
          `1 validation error detected: Value '${roleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
          400,
        );
      }
      const role = world.accounts.get(ctx.accountId)?.roles.get(roleName);
      if (!role) {
        // IAM model: NoSuchEntityException, awsQueryError code "NoSuchEntity", HTTP 404.
        throw new DetailedServiceError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, 404);
      }
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: role.trustedService ? { Service: role.trustedService } : { AWS: [...role.trustedPrincipalArns] },
            Action: 'sts:AssumeRole',
            ...(role.principalOrgId
              ? { Condition: { StringEquals: { 'aws:PrincipalOrgID': role.principalOrgId } } }
              : {}),
          },
        ],
      };
      return {
        Role: {
          Path: '/',
          RoleName: roleName,
          RoleId: role.roleId,
          Arn: `arn:${world.partition}:iam::${ctx.accountId}:role/${roleName}`,
          CreateDate: new Date(world.createdTimestamp),
          // IAM returns the trust policy URL-encoded (GetRole, "AssumeRolePolicyDocument").
          AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
          MaxSessionDuration: role.maxSessionDuration,
          RoleLastUsed: {},
        },
      };
    },
  };
}

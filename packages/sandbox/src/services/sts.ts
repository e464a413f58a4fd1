import type { CallContext, ServiceHandlers } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { optionalString, type ServiceContext } from './context.js';

/**
 * AWS STS (awsQuery): AssumeRole and GetCallerIdentity. AssumeRole succeeds only for a role that
 * exists in the target account (installed from the member stack) and whose trust policy names the
 * caller's role (or the caller's account root), with the trust policy's aws:PrincipalOrgID
 * condition checked against the world's organization. Every sandbox principal is a role session,
 * so every AssumeRole is role chaining and DurationSeconds is capped at one hour, as AWS caps it.
 */

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const CHAINED_MAX_SECONDS = 3600;

function validation(message: string): DetailedServiceError {
  return new DetailedServiceError('ValidationError', message, 400);
}

/** The IAM role ARN behind an assumed-role session ARN (what trust policies name). */
function roleArnOfPrincipal(principalArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : principalArn;
}

/** Builds the STS handlers (inputs are the form parameters of the awsQuery request). */
export function createStsService(context: ServiceContext): ServiceHandlers {
  const { world } = context;
  return {
    GetCallerIdentity: (_input, ctx) => {
      const role = world.accounts.get(ctx.accountId)?.roles.get(ctx.roleName ?? '');
      const session = ctx.principalArn.split('/').pop() ?? '';
      return { UserId: `${role?.roleId ?? 'AROAUNKNOWN'}:${session}`, Account: ctx.accountId, Arn: ctx.principalArn };
    },
    AssumeRole: (input, ctx) => {
      const roleArn = optionalString(input, 'RoleArn') ?? '';
      const sessionName = optionalString(input, 'RoleSessionName') ?? '';
      const durationText = optionalString(input, 'DurationSeconds');
      if (roleArn.length < 20 || roleArn.length > 2048) {
        throw validation(
          `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length ${
            roleArn.length < 20 ? 'greater than or equal to 20' : 'less than or equal to 2048'
          }`,
        );
      }
      if (!SESSION_NAME.test(sessionName)) {
        throw validation(
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`,
        );
      }
      const duration = durationText === undefined ? 3600 : Number(durationText);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
        throw validation(
          `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${
            duration < 900 ? 'greater than or equal to 900' : 'less than or equal to 43200'
          }`,
        );
      }
      const arn = ROLE_ARN.exec(roleArn);
      if (!arn) throw validation(`${roleArn} is not a valid role ARN.`);
      const [, , targetAccountId, , roleName] = arn as unknown as [string, string, string, string, string];
      const denied = () =>
        new DetailedServiceError(
          'AccessDenied',
          `User: ${ctx.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      const target = world.accounts.get(targetAccountId);
      // Nothing runs in an account that is suspended, closed or never activated.
      if (!target || ['SUSPENDED', 'CLOSED', 'PENDING_ACTIVATION'].includes(target.status)) throw denied();
      const callerRoleArn = roleArnOfPrincipal(ctx.principalArn);
      const role = target.roles.get(roleName);
      if (
        !role ||
        !trusts(role, callerRoleArn, ctx, world.partition, world.organizationId, world.accounts.has(ctx.accountId))
      ) {
        throw denied();
      }
      if (
        context.faults.accessDenied({
          service: 'sts',
          operation: 'AssumeRole',
          accountId: targetAccountId,
          region: ctx.region,
        })
      ) {
        throw denied();
      }
      if (!target.regions.get(ctx.region)?.enabled || context.faults.regionNotEnabled(targetAccountId, ctx.region)) {
        throw new DetailedServiceError(
          'RegionDisabledException',
          `STS is not activated in this region for account:${targetAccountId}. Your account administrator can activate STS in this region using the IAM Console.`,
          403,
        );
      }
      if (duration > role.maxSessionDuration) {
        throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      }
      if (duration > CHAINED_MAX_SECONDS) {
        throw validation(
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        );
      }
      const now = context.clock.now();
      const expiration = now + duration * 1000;
      const session = context.identities.issueSession(
        { accountId: targetAccountId, roleName, roleArn, roleId: role.roleId, sessionName, expiration },
        now,
      );
      const sourceIdentity = optionalString(input, 'SourceIdentity');
      return {
        Credentials: {
          AccessKeyId: session.accessKeyId,
          SecretAccessKey: session.secretAccessKey,
          SessionToken: session.sessionToken,
          Expiration: new Date(expiration),
        },
        AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.principalArn },
        ...(optionalString(input, 'Policy') ? { PackedPolicySize: 6 } : {}),
        ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
      };
    },
  };
}

function trusts(
  role: { readonly trustedPrincipalArns: readonly string[]; readonly principalOrgId?: string },
  callerRoleArn: string,
  ctx: CallContext,
  partition: string,
  organizationId: string,
  callerInOrganization: boolean,
): boolean {
  const named =
    role.trustedPrincipalArns.includes(callerRoleArn) ||
    role.trustedPrincipalArns.includes(`arn:${partition}:iam::${ctx.accountId}:root`);
  if (!named) return false;
  return role.principalOrgId === undefined || (callerInOrganization && role.principalOrgId === organizationId);
}

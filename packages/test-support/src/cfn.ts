/**
 * Resolves the CloudFormation intrinsic functions orgpatch's templates use (Ref of pseudo parameters,
 * template parameters and resources, Fn::Join, Fn::Sub, Fn::GetAtt) to concrete values, so a policy
 * can be evaluated as IAM would see it after deployment. Anything it was not given throws: a
 * template that starts using another intrinsic, or a test that forgets a value, fails loudly rather
 * than quietly losing a statement's resource.
 *
 * @example
 * const trust = resolveIntrinsics(role.Properties.AssumeRolePolicyDocument, {
 *   pseudo: { 'AWS::Partition': 'aws', 'AWS::AccountId': '222222222222' },
 *   parameters: { OrganizationId: 'o-abcdefghij' },
 * });
 */

/** The values intrinsics resolve to. */
export interface IntrinsicContext {
  /** Pseudo parameters: `AWS::Partition`, `AWS::AccountId`, `AWS::Region`, ... */
  readonly pseudo: Readonly<Record<string, string>>;
  /** Template parameter values, by name. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** What `Ref` of a resource returns (its physical ID or name), by logical ID. */
  readonly resources?: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` values, by `LogicalId.Attribute`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** An intrinsic the resolver cannot resolve. */
export class UnresolvableIntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/** Returns `value` with every intrinsic replaced by its concrete value (a new structure). */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return resolveFunction(first[0], first[1], ctx);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, ctx)]));
}

function resolveFunction(name: string, arg: unknown, ctx: IntrinsicContext): unknown {
  switch (name) {
    case 'Ref':
      return resolveRef(arg, ctx);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
        throw new UnresolvableIntrinsicError(`Fn::Join takes [delimiter, [values]]: ${JSON.stringify(arg)}`);
      }
      const delimiter = arg[0];
      return arg[1].map((part: unknown) => asString(resolveIntrinsics(part, ctx), 'Fn::Join part')).join(delimiter);
    }
    case 'Fn::Sub': {
      const [template, vars] = Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [arg, {}];
      if (typeof template !== 'string' || vars === null || typeof vars !== 'object') {
        throw new UnresolvableIntrinsicError(`Fn::Sub takes a string or [string, {vars}]: ${JSON.stringify(arg)}`);
      }
      const local = resolveIntrinsics(vars, ctx) as Record<string, unknown>;
      return template.replace(/\$\{([^}!]+)\}/g, (_match, key: string) => {
        if (key in local) return asString(local[key], `Fn::Sub variable ${key}`);
        if (key.includes('.')) return lookupAttribute(key, ctx);
        return resolveRef(key, ctx);
      });
    }
    case 'Fn::GetAtt': {
      const key = Array.isArray(arg) ? arg.join('.') : String(arg);
      return lookupAttribute(key, ctx);
    }
    default:
      throw new UnresolvableIntrinsicError(`${name} is not supported by this resolver`);
  }
}

function resolveRef(name: unknown, ctx: IntrinsicContext): string {
  if (typeof name !== 'string') throw new UnresolvableIntrinsicError(`Ref takes a name: ${JSON.stringify(name)}`);
  const value = name.startsWith('AWS::') ? ctx.pseudo[name] : (ctx.parameters?.[name] ?? ctx.resources?.[name]);
  if (value === undefined) throw new UnresolvableIntrinsicError(`No value for Ref ${name}`);
  return value;
}

function lookupAttribute(key: string, ctx: IntrinsicContext): string {
  const value = ctx.attributes?.[key];
  if (value === undefined) throw new UnresolvableIntrinsicError(`No value for Fn::GetAtt ${key}`);
  return value;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new UnresolvableIntrinsicError(`${what} did not resolve to a string`);
  return value;
}

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { globalRegionOf } from '@orgpatch/core';
import type { CallLog, ServiceName } from './callLog.js';
import { AwsServiceError, type CallContext, type ServiceHandlers, type SimClock } from './contract.js';
import { DetailedServiceError } from './errors.js';
import type { FaultController } from './faults.js';
import type { IdentityStore } from './identity.js';
import {
  accessDenied,
  badScope,
  expiredToken,
  internalError,
  malformedAuthentication,
  missingAuthentication,
  throttling,
  unknownOperation,
  unrecognizedClient,
} from './protocol/commonErrors.js';
import { EC2_API_VERSION, ec2Input, ec2Reply } from './protocol/ec2Query.js';
import { errorReply, type HttpReply, jsonReply, queryReply, type WireProtocol } from './protocol/wire.js';
import { RESOURCE_GROUPS_ROUTES } from './services/resourceGroups.js';
import { type S3Service, s3Operation } from './services/s3.js';
import { parseSigV4 } from './sigv4.js';
import type { SandboxWorld } from './world/model.js';

/** Everything the request handler serves from. */
export interface ServerState {
  readonly world: SandboxWorld;
  readonly clock: SimClock;
  readonly identities: IdentityStore;
  readonly faults: FaultController;
  readonly calls: CallLog;
  readonly handlers: Readonly<Record<Exclude<ServiceName, 's3'>, ServiceHandlers>>;
  readonly s3: S3Service;
  /** Receives errors the services did not mean to throw (bugs); the caller gets the service's 500. */
  readonly onInternalError?: (error: unknown, call: { readonly service: string; readonly operation: string }) => void;
}

interface Route {
  readonly service: ServiceName;
  readonly protocol: WireProtocol;
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly error?: AwsServiceError;
}

/** The awsJson services by X-Amz-Target prefix (each model's `targetPrefix` / the SDK's `serviceTarget`). */
const JSON_TARGETS: Readonly<Record<string, { service: ServiceName; protocol: 'awsJson1_0' | 'awsJson1_1' }>> = {
  AmazonSSM: { service: 'ssm', protocol: 'awsJson1_1' },
  AWSOrganizationsV20161128: { service: 'organizations', protocol: 'awsJson1_1' },
  GraniteServiceVersion20100801: { service: 'cloudwatch', protocol: 'awsJson1_0' },
};

/** The SigV4 signing name of a service, where it is not the service's name (CloudWatch: `monitoring`). */
function signingName(service: ServiceName): string {
  return service === 'cloudwatch' ? 'monitoring' : service;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The HTTP request handler: tells services apart as the SDK v3 clients address them (X-Amz-Target
 * for awsJson1_1 and awsJson1_0, a form body for awsQuery, restJson1 paths for Resource Groups, path-style S3 for
 * the rest; the SigV4 scope's service decides when the request alone is ambiguous), identifies the
 * caller from the access key, applies faults, calls the service and logs the call.
 */
export function createRequestHandler(state: ServerState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      state.onInternalError?.(error, { service: 'sandbox', operation: 'request handling' });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const time = state.clock.now();
  const requestId = randomUUID();
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const scope = parseSigV4(req.headers, url.searchParams);
  const route = detectRoute(method, url, req.headers, body, typeof scope === 'object' ? scope.service : undefined);
  let accountId = '';
  const region = typeof scope === 'object' ? scope.region : '';
  let reply: HttpReply;
  try {
    if (scope === 'missing') throw missingAuthentication(route.service);
    if (scope === 'malformed') throw malformedAuthentication(route.service);
    if (route.error) throw route.error;
    if (scope.service !== signingName(route.service)) {
      throw badScope(
        route.service,
        `Credential should be scoped to correct service: '${signingName(route.service)}'. `,
      );
    }
    const identity = state.identities.resolve(scope.accessKeyId, scope.sessionToken, time);
    if (!identity.ok) {
      throw identity.problem === 'expired'
        ? expiredToken(route.service)
        : unrecognizedClient(route.service, identity.problem);
    }
    const principal = identity.principal;
    accountId = principal.accountId;
    if (route.service === 'organizations' || route.service === 'iam') {
      // Global services: signed for the partition's global Region only.
      if (region !== globalRegionOf(state.world.partition)) {
        throw badScope(route.service, 'Credential should be scoped to a valid region. ');
      }
    } else if (route.service !== 's3') {
      const enabled = state.world.accounts.get(accountId)?.regions.get(region)?.enabled ?? false;
      if (!enabled || state.faults.regionNotEnabled(accountId, region))
        throw unrecognizedClient(route.service, 'region');
    }
    const ctx: CallContext = {
      service: route.service,
      operation: route.operation,
      accountId,
      region,
      principalArn: principal.principalArn,
      roleName: principal.roleName,
    };
    const subject = { service: route.service, operation: route.operation, accountId, region };
    if (state.faults.throttled(subject)) throw throttling(route.service);
    if (route.service !== 'sts' && state.faults.accessDenied(subject)) {
      throw accessDenied(
        route.service,
        route.operation,
        principal.principalArn,
        resourceOf(state.world, ctx, url.pathname),
      );
    }
    if (state.faults.serverError(subject)) throw internalError(route.service);
    reply = await dispatch(state, route, ctx, { method, url, headers: req.headers, body }, requestId);
  } catch (thrown) {
    if (!(thrown instanceof AwsServiceError))
      state.onInternalError?.(thrown, { service: route.service, operation: route.operation });
    const error = thrown instanceof AwsServiceError ? thrown : internalError(route.service);
    reply = errorReply(route.protocol, error, requestId, method === 'HEAD', route.service === 'iam' ? 'iam' : 'sts');
  }
  const latency = state.faults.latencyMs({ service: route.service, operation: route.operation, accountId, region });
  if (latency > 0) await sleep(latency);
  write(res, reply, method);
  state.calls.record({
    time,
    service: route.service,
    operation: route.operation,
    accountId,
    region,
    outcome: reply.status < 300 ? 'OK' : (outcomeOf(reply) ?? `HTTP${reply.status}`),
    statusCode: reply.status,
    latencyMs: performance.now() - started,
  });
}

async function dispatch(
  state: ServerState,
  route: Route,
  ctx: CallContext,
  request: { method: string; url: URL; headers: IncomingHttpHeaders; body: Buffer },
  requestId: string,
): Promise<HttpReply> {
  if (route.service === 's3') {
    return state.s3.handle(
      route.operation,
      {
        method: request.method,
        path: request.url.pathname,
        query: request.url.searchParams,
        headers: request.headers,
        body: request.body,
      },
      ctx,
      requestId,
    );
  }
  const handler = state.handlers[route.service][route.operation];
  if (!handler) throw unknownOperation(route.service, route.operation);
  const output = await handler(route.input, ctx);
  if (route.protocol === 'awsQuery')
    return queryReply(
      route.operation,
      (output ?? {}) as Record<string, unknown>,
      requestId,
      route.service === 'iam' ? 'iam' : 'sts',
    );
  if (route.protocol === 'ec2Query')
    return ec2Reply(route.operation, (output ?? {}) as Record<string, unknown>, requestId);
  const json = route.protocol === 'awsJson1_0' || route.protocol === 'awsJson1_1' ? route.protocol : 'restJson1';
  return jsonReply(json, output, requestId);
}

function detectRoute(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
  scopeService: string | undefined,
): Route {
  const target = first(headers['x-amz-target']);
  if (target !== undefined) {
    const dot = target.indexOf('.');
    const known = dot < 0 ? undefined : JSON_TARGETS[target.slice(0, dot)];
    const operation = target.slice(dot + 1);
    if (!known) {
      const fallback = Object.values(JSON_TARGETS).find((t) => signingName(t.service) === scopeService) ?? {
        service: 'ssm',
        protocol: 'awsJson1_1',
      };
      return { ...fallback, operation: target, input: {}, error: unknownOperation(fallback.service, target) };
    }
    const parsed = parseJson(body);
    return parsed.ok
      ? { ...known, operation, input: parsed.value }
      : { ...known, operation, input: {}, error: serializationError(known.service, parsed.message) };
  }
  const contentType = first(headers['content-type']) ?? '';
  // A form POST is awsQuery (STS, IAM), unless it is signed for S3 (CreateMultipartUpload of a form-typed object).
  const formPost =
    method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded') && scopeService !== 's3';
  if (scopeService === 'sts' || scopeService === 'iam' || scopeService === 'ec2' || formPost) {
    // awsQuery: STS and IAM both send a form; the scope (or the API Version) tells them apart.
    const form = new URLSearchParams(body.toString('utf8'));
    for (const [k, v] of url.searchParams) if (!form.has(k)) form.set(k, v);
    const service = scopeService === 'iam' || form.get('Version') === '2010-05-08' ? 'iam' : 'sts';
    const action = form.get('Action');
    const input = Object.fromEntries(form);
    // EC2 speaks its own query protocol: told apart by its API version (or the scope, when ambiguous).
    if (scopeService === 'ec2' || form.get('Version') === EC2_API_VERSION) {
      return action
        ? { service: 'ec2', protocol: 'ec2Query', operation: action, input: ec2Input(input) }
        : {
            service: 'ec2',
            protocol: 'ec2Query',
            operation: 'Unknown',
            input,
            error: unknownOperation('ec2', '(no Action)'),
          };
    }
    return action
      ? { service, protocol: 'awsQuery', operation: action, input }
      : {
          service,
          protocol: 'awsQuery',
          operation: 'Unknown',
          input,
          error: unknownOperation(service, '(no Action)'),
        };
  }
  const rgOperation = RESOURCE_GROUPS_ROUTES[`${method} ${url.pathname}`];
  if (scopeService === 'resource-groups' || rgOperation) {
    if (!rgOperation) {
      return {
        service: 'resource-groups',
        protocol: 'restJson1',
        operation: `${method} ${url.pathname}`,
        input: {},
        error: unknownOperation('resource-groups', `${method} ${url.pathname}`),
      };
    }
    const parsed = parseJson(body);
    if (!parsed.ok) {
      return {
        service: 'resource-groups',
        protocol: 'restJson1',
        operation: rgOperation,
        input: {},
        error: badRequest(parsed.message),
      };
    }
    const input: Record<string, unknown> = { ...parsed.value };
    const maxResults = url.searchParams.get('maxResults');
    if (maxResults !== null) input.MaxResults = Number(maxResults);
    const nextToken = url.searchParams.get('nextToken');
    if (nextToken !== null) input.NextToken = nextToken;
    return { service: 'resource-groups', protocol: 'restJson1', operation: rgOperation, input };
  }
  return {
    service: 's3',
    protocol: 'restXml',
    operation: s3Operation(method, url.pathname, url.searchParams),
    input: {},
  };
}

function resourceOf(world: SandboxWorld, ctx: CallContext, path: string): string {
  const p = world.partition;
  switch (ctx.service) {
    case 'ssm':
      return `arn:${p}:ssm:${ctx.region}:${ctx.accountId}:*`;
    case 'resource-groups':
      return `arn:${p}:resource-groups:${ctx.region}:${ctx.accountId}:group/*`;
    case 'iam':
      return `arn:${p}:iam::${ctx.accountId}:role/*`;
    case 'cloudwatch':
      return `arn:${p}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:*`;
    case 's3':
      return `arn:${p}:s3:::${path.replace(/^\/+/, '')}`;
    default:
      return '*';
  }
}

function outcomeOf(reply: HttpReply): string | undefined {
  const queryError = reply.headers['x-amzn-query-error'];
  if (queryError) return queryError.split(';')[0];
  const header = reply.headers['x-amzn-errortype'];
  if (header) return header;
  const text = typeof reply.body === 'string' ? reply.body : '';
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  if (code) return code;
  return reply.headers['x-amz-error-code'];
}

function write(res: ServerResponse, reply: HttpReply, method: string): void {
  const length = reply.headers['content-length'] ?? String(Buffer.byteLength(reply.body));
  const headers: Record<string, string> = {
    ...reply.headers,
    'content-length': length,
    date: new Date().toUTCString(),
  };
  if (method === 'HEAD' && reply.status >= 300) headers['content-length'] = '0';
  res.writeHead(reply.status, headers);
  res.end(method === 'HEAD' ? undefined : reply.body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, message: 'The request body is not a JSON object.' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: `The request body is not valid JSON: ${(error as Error).message}` };
  }
}

function serializationError(service: ServiceName, message: string): DetailedServiceError {
  // CloudWatch (awsQueryCompatible) answers a body it cannot read as a query service would.
  return service === 'cloudwatch'
    ? new DetailedServiceError('MalformedInput', message, 400)
    : new DetailedServiceError('SerializationException', message, 400, {}, 'message');
}

function badRequest(message: string): DetailedServiceError {
  return new DetailedServiceError('BadRequestException', message, 400);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

import type { AwsServiceError } from '../contract.js';
import { DetailedServiceError } from '../errors.js';
import { ec2Error } from './ec2Query.js';

/**
 * Encoders for the six wire protocols the sandbox speaks, shaped as the AWS SDK v3 deserializers
 * read them: awsJson1_1 (SSM, Organizations), awsJson1_0 with `awsQueryCompatible` (CloudWatch),
 * restJson1 (Resource Groups), awsQuery (STS, IAM), restXml (S3) and the EC2 query protocol
 * (ec2Query.ts).
 */

/** The protocol a request came in with. */
export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1' | 'awsQuery' | 'restXml' | 'ec2Query';

/** The JSON protocols (what {@link jsonReply} writes). */
type JsonProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1';

const JSON_CONTENT_TYPES: Readonly<Record<JsonProtocol, string>> = {
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
  restJson1: 'application/json',
};

/**
 * CloudWatch's modeled errors whose shape name is not their awsQuery code (the model's
 * `awsQueryError` trait): a query-compatible JSON error names the shape in `__type` and the code in
 * `x-amzn-query-error`. Other codes are their own shape names, or not modeled.
 */
const QUERY_COMPATIBLE_SHAPES: Readonly<Record<string, string>> = {
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  MissingParameter: 'MissingRequiredParameterException',
  InternalServiceError: 'InternalServiceFault',
};

/** A response ready to write. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** Namespaces of the awsQuery services' responses (each model's `xmlNamespace`). */
const QUERY_NAMESPACES = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
} as const;

/** A service that speaks awsQuery. */
export type QueryService = keyof typeof QUERY_NAMESPACES;

/** JSON with Dates written as epoch seconds (the JSON protocols' default timestamp format). */
function toAwsJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    return v;
  });
}

/** A successful response of a JSON protocol. */
export function jsonReply(protocol: JsonProtocol, output: unknown, requestId: string): HttpReply {
  return {
    status: 200,
    headers: { 'content-type': JSON_CONTENT_TYPES[protocol], 'x-amzn-requestid': requestId },
    body: toAwsJson(output ?? {}),
  };
}

/**
 * An error of an awsJson1_0 service that is `awsQueryCompatible` (CloudWatch): the awsQuery code and
 * fault in `x-amzn-query-error: Code;Sender|Receiver`, which the SDK prefers, and the error's shape
 * name in `__type` with `message` (Smithy, "aws.protocols#awsQueryCompatible"; the SDK's
 * `AwsJsonRpcProtocol.handleError`).
 */
function queryCompatibleJsonError(error: AwsServiceError, requestId: string): HttpReply {
  const fields = error instanceof DetailedServiceError ? error.fields : {};
  return {
    status: error.statusCode,
    headers: {
      'content-type': JSON_CONTENT_TYPES.awsJson1_0,
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${error.code};${error.statusCode >= 500 ? 'Receiver' : 'Sender'}`,
    },
    body: JSON.stringify({
      __type: QUERY_COMPATIBLE_SHAPES[error.code] ?? error.code,
      message: error.message,
      ...fields,
    }),
  };
}

/** An error of a JSON protocol: `x-amzn-errortype` header and `__type` + message in the body. */
function jsonError(protocol: 'awsJson1_1' | 'restJson1', error: AwsServiceError, requestId: string): HttpReply {
  const detailed = error instanceof DetailedServiceError ? error : undefined;
  const body: Record<string, string> = {
    __type: error.code,
    [detailed?.messageKey ?? 'Message']: error.message,
    ...(detailed?.fields ?? {}),
  };
  return {
    status: error.statusCode,
    headers: {
      'content-type': JSON_CONTENT_TYPES[protocol],
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify(body),
  };
}

/** Escapes text for XML content. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** Serializes a plain object as XML elements (Dates as ISO 8601, nested objects as nested elements). */
function toXml(value: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (v instanceof Date) out += `<${key}>${v.toISOString()}</${key}>`;
    else if (Array.isArray(v)) out += `<${key}>${v.map((m) => `<member>${memberXml(m)}</member>`).join('')}</${key}>`;
    else if (typeof v === 'object') out += `<${key}>${toXml(v as Record<string, unknown>)}</${key}>`;
    else out += `<${key}>${xmlEscape(String(v))}</${key}>`;
  }
  return out;
}

function memberXml(m: unknown): string {
  if (m !== null && typeof m === 'object' && !(m instanceof Date)) return toXml(m as Record<string, unknown>);
  return m instanceof Date ? m.toISOString() : xmlEscape(String(m));
}

/** A successful awsQuery response: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`. */
export function queryReply(
  action: string,
  result: Readonly<Record<string, unknown>>,
  requestId: string,
  service: QueryService = 'sts',
): HttpReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${action}Response xmlns="${QUERY_NAMESPACES[service]}"><${action}Result>${toXml(result)}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** An awsQuery error: `<ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error><RequestId>`. */
function queryError(error: AwsServiceError, requestId: string, service: QueryService): HttpReply {
  const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  return {
    status: error.statusCode,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${QUERY_NAMESPACES[service]}"><Error><Type>${type}</Type><Code>${xmlEscape(error.code)}</Code>` +
      `<Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** An S3 (restXml) error; HEAD responses carry no body, as S3 sends none. */
function s3Error(error: AwsServiceError, requestId: string, head: boolean): HttpReply {
  const fields = error instanceof DetailedServiceError ? error.fields : {};
  const headers = {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    'x-amz-id-2': Buffer.from(requestId).toString('base64'),
  };
  if (head) return { status: error.statusCode, headers, body: '' };
  const extra = Object.entries(fields)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  return {
    status: error.statusCode,
    headers,
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>` +
      `${extra}<RequestId>${requestId}</RequestId><HostId>${headers['x-amz-id-2']}</HostId></Error>`,
  };
}

/** Encodes `error` in `protocol`. */
export function errorReply(
  protocol: WireProtocol,
  error: AwsServiceError,
  requestId: string,
  head = false,
  service: QueryService = 'sts',
): HttpReply {
  switch (protocol) {
    case 'awsJson1_0':
      return queryCompatibleJsonError(error, requestId);
    case 'awsJson1_1':
    case 'restJson1':
      return jsonError(protocol, error, requestId);
    case 'awsQuery':
      return queryError(error, requestId, service);
    case 'restXml':
      return s3Error(error, requestId, head);
    case 'ec2Query':
      return ec2Error(error, requestId);
  }
}

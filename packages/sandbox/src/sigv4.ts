/**
 * Reads what the sandbox needs from a SigV4-signed request: the access key, and the credential
 * scope's date, Region and service. The signature itself is not verified (see README).
 */

/** The parts of a SigV4 credential scope. */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly sessionToken?: string;
}

/** Why a request's authentication could not be read. */
export type SigV4Problem = 'missing' | 'malformed';

/**
 * Parses the `Authorization` header (`AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ssm/aws4_request,
 * SignedHeaders=..., Signature=...`) or, for presigned URLs, the `X-Amz-Credential` query parameter.
 */
export function parseSigV4(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query: URLSearchParams,
): SigV4Scope | SigV4Problem {
  const header = headers.authorization;
  const auth = Array.isArray(header) ? header[0] : header;
  let credential: string | undefined;
  let token = first(headers['x-amz-security-token']);
  if (auth !== undefined) {
    const match =
      /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=[^,\s]+\s*,\s*Signature=[0-9a-f]+\s*$/.exec(auth);
    if (!match) return 'malformed';
    credential = match[1];
  } else if (query.has('X-Amz-Credential')) {
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !query.get('X-Amz-Signature')) return 'malformed';
    credential = query.get('X-Amz-Credential') ?? undefined;
    token = query.get('X-Amz-Security-Token') ?? token;
  } else {
    return 'missing';
  }
  const parts = (credential ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1] ?? '')) return 'malformed';
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  if (!accessKeyId || !region || !service) return 'malformed';
  return { accessKeyId, date, region, service, ...(token ? { sessionToken: token } : {}) };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

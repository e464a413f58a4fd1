import type { AwsServiceError } from '../contract.js';
import { type HttpReply, xmlEscape } from './wire.js';

/**
 * The EC2 query protocol (Smithy "AWS EC2 query protocol"; botocore `ec2`): a form body
 * (`Action=CreateSnapshots&Version=2016-11-15&InstanceSpecification.InstanceId=i-...`) whose lists
 * are numbered from 1 under each member's `xmlName` (`TagSpecification.1.Tag.1.Key`,
 * `SnapshotId.1`, `Filter.1.Value.1`), and an XML response of lowerCamel `xmlName`s without a
 * result wrapper, lists as `<...Set><item>`. Errors are `<Response><Errors><Error><Code>`. The names
 * here are the ones `@aws-sdk/client-ec2` 3.1133.0's schemas give for the operations served.
 */

/** EC2's API version, the `Version` of every request. */
export const EC2_API_VERSION = '2016-11-15';
const NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;

/** Wire list names whose model member is plural: renamed when the value is a list. */
const LIST_MEMBERS: Readonly<Record<string, string>> = {
  TagSpecification: 'TagSpecifications',
  Tag: 'Tags',
  Filter: 'Filters',
  Value: 'Values',
  Owner: 'OwnerIds',
  SnapshotId: 'SnapshotIds',
  InstanceId: 'InstanceIds',
  RestorableBy: 'RestorableByUserIds',
};

type Container = Record<string, unknown> | unknown[];

/** The container under `part` of `parent` (a list when the next part is an index), made when missing. */
function childOf(parent: Container, part: string, list: boolean): Container {
  const key = Array.isArray(parent) ? Number(part) - 1 : part;
  const existing = (parent as Record<string | number, unknown>)[key];
  if (existing !== undefined && typeof existing === 'object' && existing !== null) return existing as Container;
  const made: Container = list ? [] : {};
  (parent as Record<string | number, unknown>)[key] = made;
  return made;
}

/** The form's members (without Action and Version) in the service model's names, lists as arrays. */
export function ec2Input(form: Readonly<Record<string, string>>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    const last = parts.pop() ?? key;
    let node: Container = root;
    parts.forEach((part, i) => {
      node = childOf(node, part, /^\d+$/.test(parts[i + 1] ?? last));
    });
    (node as Record<string | number, unknown>)[Array.isArray(node) ? Number(last) - 1 : last] = value;
  }
  return rename(root) as Record<string, unknown>;
}

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(rename);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [Array.isArray(v) ? (LIST_MEMBERS[k] ?? k) : k, rename(v)]),
  );
}

/** Model member -> xmlName where it is not the member with a lower-case first letter. */
const XML_NAMES: Readonly<Record<string, string>> = {
  Snapshots: 'snapshotSet',
  Tags: 'tagSet',
  Reservations: 'reservationSet',
  Instances: 'instancesSet',
  BlockDeviceMappings: 'blockDeviceMapping',
};
/** DescribeSnapshots' `Snapshot` shape names State and StateMessage `status` and `statusMessage`. */
const SNAPSHOT_NAMES: Readonly<Record<string, string>> = { State: 'status', StateMessage: 'statusMessage' };

function toXml(value: unknown, names: Readonly<Record<string, string>>): string {
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return xmlEscape(String(value));
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    const name = names[key] ?? XML_NAMES[key] ?? key.charAt(0).toLowerCase() + key.slice(1);
    const body = Array.isArray(v) ? v.map((item) => `<item>${toXml(item, names)}</item>`).join('') : toXml(v, names);
    out += `<${name}>${body}</${name}>`;
  }
  return out;
}

/** A successful EC2 response: `<ActionResponse xmlns=...><requestId>` and the output's members. */
export function ec2Reply(action: string, output: Record<string, unknown>, requestId: string): HttpReply {
  const members = action === 'DeleteSnapshot' ? { Return: true } : output;
  const names = action === 'DescribeSnapshots' ? SNAPSHOT_NAMES : {};
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>${toXml(members, names)}</${action}Response>`,
  };
}

/** An EC2 error: `<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>`. */
export function ec2Error(error: AwsServiceError, requestId: string): HttpReply {
  return {
    status: error.statusCode,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(error.code)}</Code>` +
      `<Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}

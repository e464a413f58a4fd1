import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { RunListing, RunRecord, RunStore } from '@orgpatch/core';
import pLimit from 'p-limit';
import { awsErrorCode, awsErrorMessage } from '../aws/awsErrors.js';
import { AwsEnvironmentError, RunStoreError } from '../errors.js';
import { assertArtifactName, assertRunId } from './runId.js';

/** The environment variable that names the run-record bucket (set on the Lambda by infra). */
export const RUN_BUCKET_ENV = 'ORGPATCH_RUN_BUCKET';

/** Options of {@link S3RunStore}. */
export interface S3RunStoreOptions {
  readonly client: S3Client;
  /** @default process.env.ORGPATCH_RUN_BUCKET */
  readonly bucket?: string;
  /** Key prefix of the runs. @default 'runs/' */
  readonly prefix?: string;
}

/**
 * Keeps run records in S3: `runs/<run-id>/record.json` and the rendered reports beside it
 * (`runs/<run-id>/report.html`, ...). A PutObject replaces the whole object, so readers never see
 * half a record.
 */
export class S3RunStore implements RunStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(options: S3RunStoreOptions) {
    const bucket = options.bucket ?? process.env[RUN_BUCKET_ENV];
    if (!bucket) {
      throw new AwsEnvironmentError(
        `No run bucket: set ${RUN_BUCKET_ENV} to the name of the orgpatch run-record bucket.`,
      );
    }
    this.bucket = bucket;
    this.client = options.client;
    this.prefix = options.prefix ?? 'runs/';
  }

  private key(runId: string, name: string): string {
    assertRunId(runId);
    return `${this.prefix}${runId}/${name}`;
  }

  async put(record: RunRecord): Promise<void> {
    await this.write(this.key(record.runId, 'record.json'), JSON.stringify(record), 'application/json');
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const key = this.key(runId, 'record.json');
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await out.Body?.transformToString('utf-8')) ?? '';
      return JSON.parse(text) as RunRecord;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
      if (error instanceof SyntaxError) {
        throw new RunStoreError(`s3://${this.bucket}/${key} is not valid JSON: ${error.message}`, { cause: error });
      }
      throw new RunStoreError(`Cannot read s3://${this.bucket}/${key} (${code}): ${awsErrorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async list(): Promise<readonly RunListing[]> {
    const runIds: string[] = [];
    try {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.bucket, Prefix: this.prefix, Delimiter: '/' },
      )) {
        for (const p of page.CommonPrefixes ?? []) {
          const id = p.Prefix?.slice(this.prefix.length).replace(/\/$/, '');
          if (id) runIds.push(id);
        }
      }
    } catch (error) {
      throw new RunStoreError(
        `Cannot list s3://${this.bucket}/${this.prefix} (${awsErrorCode(error)}): ${awsErrorMessage(error)}`,
        { cause: error },
      );
    }
    const limit = pLimit(8);
    const records = await Promise.all(runIds.sort().map((id) => limit(() => this.get(id).catch(() => undefined))));
    return records.flatMap((r) => (r ? [{ runId: r.runId, createdAt: r.createdAt, status: r.status }] : []));
  }

  async putArtifact(runId: string, name: string, body: string, contentType: string): Promise<string> {
    assertArtifactName(name);
    const key = this.key(runId, name);
    await this.write(key, body, contentType);
    return `s3://${this.bucket}/${key}`;
  }

  private async write(key: string, body: string, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (error) {
      throw new RunStoreError(
        `Cannot write s3://${this.bucket}/${key} (${awsErrorCode(error)}): ${awsErrorMessage(error)}`,
        { cause: error },
      );
    }
  }
}

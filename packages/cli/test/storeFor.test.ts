import { join } from 'node:path';
import { LocalRunStore, S3RunStore } from '@orgpatch/orchestrator';
import { describe, expect, it } from 'vitest';
import { storeFor, threadSetupFor } from '../src/context.js';
import type { CliIo } from '../src/io.js';

const io: CliIo = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
    ORGPATCH_RUN_BUCKET: 'env-bucket',
  },
  cwd: '/work/here',
};

describe('storeFor', () => {
  it.each([
    ['s3://bucket', 'bucket', ''],
    ['s3://bucket/', 'bucket', ''],
    ['s3://bucket/team-a', 'bucket', 'team-a/'],
    ['s3://bucket/team-a/', 'bucket', 'team-a/'],
    ['s3://bucket/org/team-a/', 'bucket', 'org/team-a/'],
    ['s3', 'env-bucket', ''],
  ])('keeps --store %s in bucket %s under root %j', (store, bucket, root) => {
    const chosen = storeFor({ store }, io);
    expect(chosen).toBeInstanceOf(S3RunStore);
    expect(chosen).toMatchObject({ bucket, root });
  });

  it('uses a local folder otherwise, relative to the working directory', () => {
    const chosen = storeFor({ store: 'runs' }, io);
    expect(chosen).toBeInstanceOf(LocalRunStore);
    expect((chosen as LocalRunStore).root).toBe(join('/work/here', 'runs'));
  });

  it("hands a step thread the same store and the command's AWS settings", () => {
    expect(threadSetupFor({ store: 's3://bucket/team-a', region: 'eu-west-1' }, io)).toEqual({
      aws: {
        homeRegion: 'eu-west-1',
        credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 'x'.repeat(40) },
      },
      store: { kind: 's3', bucket: 'bucket', root: 'team-a' },
    });
    expect(
      threadSetupFor({ profile: 'ops' }, { ...io, env: { ...io.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' } }),
    ).toEqual({
      aws: { endpoint: 'http://127.0.0.1:4566', homeRegion: 'us-east-1', profile: 'ops', forcePathStyle: true },
      store: { kind: 'local', root: join('/work/here', '.orgpatch/runs') },
    });
  });
});

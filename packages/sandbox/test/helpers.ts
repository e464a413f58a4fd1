import { type Sandbox, type SandboxOptions, startSandbox, type WorldFile } from '../src/index.js';

// The SDK's documented switch for its Node 20 support warning (read when a client is constructed).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A small fixed world used across tests: management + 3 OUs + 6 accounts, 3 Regions (one opt-in). */
export const TEST_WORLD: WorldFile = {
  organization: { id: 'o-testorg123', rootId: 'r-t3st', managementAccountId: '111111111111' },
  regions: ['us-east-1', 'eu-west-1', 'af-south-1'],
  buckets: ['orgpatch-runs'],
  ous: [
    { id: 'ou-t3st-aaaaaaaa', name: 'dev', parentId: 'r-t3st' },
    { id: 'ou-t3st-bbbbbbbb', name: 'prod', parentId: 'r-t3st' },
    { id: 'ou-t3st-cccccccc', name: 'prod-eu', parentId: 'ou-t3st-bbbbbbbb' },
  ],
  accounts: [
    { id: '111111111111', name: 'management', email: 'mgmt@example.com', parentId: 'r-t3st', memberStacks: false },
    {
      id: '222222222222',
      name: 'dev-1',
      email: 'dev1@example.com',
      parentId: 'ou-t3st-aaaaaaaa',
      locations: {
        'us-east-1': {
          instances: [
            { count: 60, platform: 'Linux', missingPatches: 3, groups: ['orgpatch-targets'] },
            { instanceId: 'mi-0123456789abcdef0', platform: 'Windows', groups: ['orgpatch-targets', 'windows'] },
          ],
          groups: ['empty-group'],
        },
        'eu-west-1': { instances: [{ count: 2, groups: ['orgpatch-targets'] }] },
      },
    },
    {
      id: '333333333333',
      name: 'dev-2',
      email: 'dev2@example.com',
      parentId: 'ou-t3st-aaaaaaaa',
      regionsNotEnabled: ['af-south-1'],
      locations: {
        'eu-west-1': {
          groups: [
            {
              name: 'stack-group',
              queryErrors: [{ ErrorCode: 'CLOUDFORMATION_STACK_NOT_EXISTING', Message: 'The stack does not exist.' }],
            },
          ],
        },
      },
    },
    { id: '444444444444', name: 'prod-1', email: 'prod1@example.com', parentId: 'ou-t3st-bbbbbbbb' },
    {
      id: '555555555555',
      name: 'prod-eu-1',
      email: 'prodeu1@example.com',
      parentId: 'ou-t3st-cccccccc',
      memberStacks: false,
    },
    {
      id: '666666666666',
      name: 'suspended',
      email: 'susp@example.com',
      parentId: 'ou-t3st-bbbbbbbb',
      status: 'SUSPENDED',
    },
  ],
};

/** Starts a sandbox on the test world with a frozen clock and no empty pages unless asked. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ world: structuredClone(TEST_WORLD), timeScale: 0, emptyPageRate: 0, ...options });
}

/** Credentials of the member execution role in `accountId`, assumed by the orchestrator principal. */
export async function memberCredentials(
  sandbox: Sandbox,
  accountId: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient(sandbox.clientConfig('us-east-1'));
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/OrgPatchExecutionRole`,
        RoleSessionName: 'orgpatch',
      }),
    );
    return {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
  } finally {
    sts.destroy();
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRunExecution } from '../src/lambda/startExecution.js';

// A stand-in for the Step Functions endpoint, speaking its wire protocol (awsJson1_0,
// X-Amz-Target: AWSStepFunctions.StartExecution): the real SDK client signs, sends and parses. Names
// are unique per state machine: a second StartExecution with a known name answers
// ExecutionAlreadyExists, as Step Functions does once the first execution's input differs or it closed.

const STATE_MACHINE = 'arn:aws-test:states:us-east-1:123456789012:stateMachine:orgpatch';
const TASK = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

interface Call {
  readonly target: string;
  readonly body: Record<string, unknown>;
}

let server: Server;
let client: SFNClient;
const calls: Call[] = [];
const names = new Set<string>();
let refuseWith: string | undefined;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    const target = String(req.headers['x-amz-target']);
    calls.push({ target, body });
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(json));
    };
    if (refuseWith) return reply(400, { __type: refuseWith, message: `refused: ${refuseWith}` });
    const name = String(body.name);
    if (names.has(name))
      return reply(400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${name}'` });
    names.add(name);
    return reply(200, {
      executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`,
      startDate: 1_790_000_000,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SFNClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

beforeEach(() => {
  calls.length = 0;
  names.clear();
  refuseWith = undefined;
});

const logger = new Logger({ serviceName: 'orgpatch-start-test', logLevel: 'SILENT' });
const rt = () => ({ logger, client, stateMachineArn: STATE_MACHINE });

function payload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    WindowId: 'mw-0123456789abcdef0',
    TaskExecutionId: TASK,
    Document: { Name: 'AWS-RunPatchBaselineAutomation', Parameters: { Operation: ['Scan'] } },
    Targets: [{ Key: 'ResourceGroup', Values: ['WebServers'] }],
    MaxConcurrency: '10',
    MaxErrors: '1',
    Regions: ['us-east-1'],
    ...extra,
  };
}

describe('the Step Functions starter', () => {
  it('starts the state machine under the run id, with the payload unchanged as its input', async () => {
    const event = payload();
    const result = await startRunExecution(event, rt());
    expect(result).toEqual({
      runId: `mw-${TASK}`,
      executionArn: `arn:aws-test:states:us-east-1:123456789012:execution:orgpatch:mw-${TASK}`,
      started: true,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('AWSStepFunctions.StartExecution');
    expect(calls[0]?.body).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: `mw-${TASK}`,
      input: JSON.stringify(event),
    });
  });

  it('starts no second execution for a retried invocation of the same task execution', async () => {
    await startRunExecution(payload(), rt());
    const again = await startRunExecution(payload(), rt());
    expect(again).toEqual({
      runId: `mw-${TASK}`,
      executionArn: `arn:aws-test:states:us-east-1:123456789012:execution:orgpatch:mw-${TASK}`,
      started: false,
    });
    expect(names.size).toBe(1);
  });

  it('refuses an invalid payload naming the field, and starts nothing', async () => {
    await expect(startRunExecution(payload({ Regions: ['us-east-9'] }), rt())).rejects.toMatchObject({
      name: 'PayloadValidationError',
      message: expect.stringMatching(/Regions\[0\]/),
    });
    expect(calls).toHaveLength(0);
  });

  it('refuses a payload whose {{TASK_EXECUTION_ID}} was not filled in, and starts nothing', async () => {
    await expect(startRunExecution(payload({ TaskExecutionId: '{{TASK_EXECUTION_ID}}' }), rt())).rejects.toMatchObject({
      name: 'PayloadValidationError',
      message: expect.stringMatching(/TaskExecutionId/),
    });
    expect(calls).toHaveLength(0);
  });

  it('lets any other Step Functions error through, so the task fails', async () => {
    refuseWith = 'AccessDeniedException';
    await expect(startRunExecution(payload(), rt())).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

import type { ServiceHandlers } from '../contract.js';
import type { Ec2Snapshots } from '../ec2/snapshots.js';

/**
 * Amazon EC2 (EC2 query protocol) as far as orgpatch's pre-patch snapshots reach: DescribeInstances,
 * CreateSnapshots, DescribeSnapshots and DeleteSnapshot of the caller's account and Region, served
 * by the same model the automation steps call (ec2/snapshots.ts).
 */
export function createEc2Service(ec2: Ec2Snapshots): ServiceHandlers {
  const at = (ctx: { accountId: string; region: string }) => ({ accountId: ctx.accountId, region: ctx.region });
  return {
    DescribeInstances: (input, ctx) => ec2.DescribeInstances(at(ctx), input),
    CreateSnapshots: (input, ctx) => ec2.CreateSnapshots(at(ctx), input),
    DescribeSnapshots: (input, ctx) => ec2.DescribeSnapshots(at(ctx), input),
    DeleteSnapshot: (input, ctx) => ec2.DeleteSnapshot(at(ctx), input),
  };
}

#!/usr/bin/env node
// The orgpatch CDK app. Configure it with the "orgpatch:" context in cdk.json (see the README).
import { createOrgPatchApp } from '@orgpatch/infra';

createOrgPatchApp().app.synth();

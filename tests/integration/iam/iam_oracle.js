// The reference side of test_policy_differential.py: evaluates every case of
// a JSON-lines file with @cloud-copilot/iam-simulate in this one process and
// prints one decision per line. Trust policies (a statement with Principal)
// go through createValidatedPolicy(..., validateTrustPolicy), whose unsafe
// entry point honours token.actions.githubusercontent.com:* keys (DESIGN.md 4).
'use strict';
const fs = require('fs');
const sim = require('@cloud-copilot/iam-simulate');
const pol = require('@cloud-copilot/iam-policy');

const names = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };

function decide(c) {
  const statements = [].concat(c.policy.Statement);
  const trust = statements.some((s) => 'Principal' in s || 'NotPrincipal' in s);
  const account = (c.resource.split(':')[4] || '123456789012');
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: account },
      contextVariables: c.context,
    },
    identityPolicies: trust ? [] : [{ name: 'identity', policy: c.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust ? pol.createValidatedPolicy(c.policy, pol.validateTrustPolicy, { name: 'trust' }) : undefined,
  };
  try {
    const result = sim.runUnsafeSimulation(simulation, {});
    return names[result] || 'Error: ' + JSON.stringify(result);
  } catch (e) {
    return 'Error: ' + e.message;
  }
}

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.length > 0);
process.stdout.write(lines.map((l) => decide(JSON.parse(l))).join('\n') + '\n');

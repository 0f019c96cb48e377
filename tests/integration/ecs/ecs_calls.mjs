// Drives the ECS stand-in with the official JS SDK (@aws-sdk/client-ecs from
// the npm peers): reads [{"op": "CreateExpressGatewayService", "input": {...}}, ...]
// as JSON on stdin, sends each in order, and prints one JSON array of
// {"output": parsed answer} or {"error": {"name", "message", "status"}}.
// Dates become epoch seconds, $metadata is dropped, so the test compares the
// SDK's parsed objects with awscli's and with the wire.
// Usage: node ecs_calls.mjs ENDPOINT REGION [MAX_ATTEMPTS] < calls.json
import * as ecs from '@aws-sdk/client-ecs';

const [endpoint, region, attempts] = process.argv.slice(2);
const client = new ecs.ECSClient({
  endpoint, region, maxAttempts: Number(attempts || 3),
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calls = JSON.parse(Buffer.concat(chunks).toString());

const plain = (value) => JSON.parse(JSON.stringify(value, function replace(key, v) {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : v;
}));

const results = [];
for (const { op, input } of calls) {
  const Command = ecs[`${op}Command`];
  try {
    const { $metadata, ...output } = await client.send(new Command(input));
    results.push({ output: plain(output) });
  } catch (e) {
    results.push({ error: { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode } });
  }
}
console.log(JSON.stringify(results));

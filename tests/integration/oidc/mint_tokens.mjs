// Mints the tokens and JWKS test_oidc_cli.py verifies, with npm `jose` (the
// reference JOSE implementation), all in this one process.
// Usage: node mint_tokens.mjs OUTDIR NOW_SECONDS
import * as jose from 'jose';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outdir, nowText] = process.argv.slice(2);
const now = Number(nowText);
const issuer = 'https://token.actions.githubusercontent.com';
const claims = {
  sub: 'repo:octo/app:ref:refs/heads/main', aud: 'sts.amazonaws.com', ref: 'refs/heads/main',
  repository: 'octo/app', repository_owner: 'octo', event_name: 'push', iss: issuer,
  iat: now, nbf: now - 5, exp: now + 300,
};

const rsa = await jose.generateKeyPair('RS256', { extractable: true });
const ec = await jose.generateKeyPair('ES256', { extractable: true });
const pss = await jose.generateKeyPair('PS256', { extractable: true });
const stranger = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = async (key, kid, alg) => ({ ...(await jose.exportJWK(key)), kid, alg, use: 'sig' });
writeFileSync(join(outdir, 'jwks.json'), JSON.stringify({
  keys: [await jwk(rsa.publicKey, 'k1', 'RS256'), await jwk(ec.publicKey, 'e1', 'ES256'), await jwk(pss.publicKey, 'p1', 'PS256')],
}));

const sign = (payload, key, header) => new jose.SignJWT(payload).setProtectedHeader(header).sign(key);
const tokens = {
  valid: await sign(claims, rsa.privateKey, { alg: 'RS256', kid: 'k1', typ: 'JWT' }),
  es256: await sign(claims, ec.privateKey, { alg: 'ES256', kid: 'e1' }),
  ps256: await sign(claims, pss.privateKey, { alg: 'PS256', kid: 'p1' }),
  pull_request: await sign({ ...claims, sub: 'repo:octo/app:pull_request', event_name: 'pull_request' }, rsa.privateKey, { alg: 'RS256', kid: 'k1' }),
  expired: await sign({ ...claims, iat: now - 900, nbf: now - 900, exp: now - 600 }, rsa.privateKey, { alg: 'RS256', kid: 'k1' }),
  wrong_aud: await sign({ ...claims, aud: 'https://github.com/octo' }, rsa.privateKey, { alg: 'RS256', kid: 'k1' }),
  unknown_kid: await sign(claims, stranger.privateKey, { alg: 'RS256', kid: 'k9' }),
  wrong_key: await sign(claims, stranger.privateKey, { alg: 'RS256', kid: 'k1' }),
  hs256: await sign(claims, new TextEncoder().encode('0123456789abcdef0123456789abcdef'), { alg: 'HS256', kid: 'k1' }),
  none: new jose.UnsecuredJWT(claims).encode(),
};
for (const [name, token] of Object.entries(tokens)) writeFileSync(join(outdir, name + '.jwt'), token + '\n');

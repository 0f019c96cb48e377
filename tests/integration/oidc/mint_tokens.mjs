// Mints the tokens and JWKS test_oidc_cli.py verifies, with npm `jose` (the
// reference JOSE implementation), all in this one process.
// Usage: node mint_tokens.mjs OUTDIR NOW_SECONDS
import * as jose from 'jose';
import { createHash } from 'node:crypto';
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
// Issue 13, item 7: NumericDates no int64 holds; jose signs them as given.
tokens.far_nbf = await sign({ ...claims, nbf: 1e19 }, rsa.privateKey, { alg: 'RS256', kid: 'k1' });
tokens.nbf_2p63 = await sign({ ...claims, nbf: 2 ** 63 }, rsa.privateKey, { alg: 'RS256', kid: 'k1' });
tokens.iat_2p64 = await sign({ ...claims, iat: 2 ** 64 }, rsa.privateKey, { alg: 'RS256', kid: 'k1' });

// Issue 13, item 8: the RSA key published with e = 1, and a token forged
// without any private key: with e = 1 the signature is the EMSA-PKCS1-v1_5
// encoding of the SHA-256 hash (RFC 8017 section 9.2) itself.
const rsaJwk = await jose.exportJWK(rsa.publicKey);
writeFileSync(join(outdir, 'jwks_e1.json'), JSON.stringify({ keys: [{ ...rsaJwk, e: 'AQ', kid: 'k1', alg: 'RS256', use: 'sig' }] }));
const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const forgedInput = b64u(JSON.stringify({ alg: 'RS256', kid: 'k1' })) + '.' + b64u(JSON.stringify({ ...claims, sub: 'repo:mallory/app:ref:refs/heads/main' }));
const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const hash = createHash('sha256').update(forgedInput).digest();
const k = Buffer.from(rsaJwk.n, 'base64url').length;
const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - 3 - digestInfo.length - hash.length, 0xff), Buffer.from([0]), digestInfo, hash]);
tokens.forged_e1 = forgedInput + '.' + b64u(em);
for (const [name, token] of Object.entries(tokens)) writeFileSync(join(outdir, name + '.jwt'), token + '\n');

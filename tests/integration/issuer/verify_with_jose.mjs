// The independent oracle: npm `jose` verifies a token from actions-oidc-issuer
// against the issuer's JWKS (fetched over HTTP), and recomputes the RFC 7638
// thumbprint of each key. Prints {"header", "payload", "thumbprints"}.
// Usage: node verify_with_jose.mjs BASE_URL TOKEN AUDIENCE
import * as jose from 'jose';

const [base, token, audience] = process.argv.slice(2);
const jwks = await (await fetch(`${base}/.well-known/jwks`)).json();
const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
  issuer: base, audience, algorithms: ['RS256'], clockTolerance: 60,
});
const thumbprints = await Promise.all(jwks.keys.map((k) => jose.calculateJwkThumbprint(k, 'sha256')));
console.log(JSON.stringify({ header: protectedHeader, payload, thumbprints, kids: jwks.keys.map((k) => k.kid) }));

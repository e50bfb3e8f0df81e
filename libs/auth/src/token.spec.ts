import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  InvalidToken,
  IssuerUnavailable,
  issueAccessToken,
  localVerifier,
  verifierFor,
  type LocalTokenConfig,
  type OidcConfig,
} from './token.js';

const config: LocalTokenConfig = {
  secret: new TextEncoder().encode('a secret of at least thirty-two bytes, for tests'),
  issuer: 'observa',
  audience: 'observa-api',
  ttlSeconds: 900,
};
const at = new Date('2023-11-30T07:00:00Z');
const aizada = { userId: 'user-aizada', email: 'aizada@example.org' };
const admin = { userId: 'user-admin', email: 'admin@example.org', platformRole: 'admin' as const };

const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const verifyAt = (instant: Date) => localVerifier(config, () => instant);

describe('local access tokens', () => {
  it('carry sub, email, platformRole, iat, exp, jti', async () => {
    const { accessToken, expiresIn } = await issueAccessToken(admin, config, at, 'token-1');
    expect(expiresIn).toBe(900);
    expect(claimsOf(accessToken)).toEqual({
      sub: 'user-admin',
      email: 'admin@example.org',
      platformRole: 'admin',
      iss: 'observa',
      aud: 'observa-api',
      iat: at.getTime() / 1000,
      exp: at.getTime() / 1000 + 900,
      jti: 'token-1',
    });
  });

  it('verify to their subject while valid', async () => {
    const { accessToken } = await issueAccessToken(admin, config, at, 'token-1');
    await expect(verifyAt(new Date(at.getTime() + 899_000))(accessToken)).resolves.toEqual({
      ...admin,
      tokenId: 'token-1',
      expiresAt: new Date(at.getTime() + 900_000),
    });
  });

  it('leave out the platform role of an ordinary user', async () => {
    const { accessToken } = await issueAccessToken(aizada, config, at, 'token-2');
    expect(claimsOf(accessToken)).not.toHaveProperty('platformRole');
    await expect(verifyAt(at)(accessToken)).resolves.toEqual(
      expect.not.objectContaining({ platformRole: expect.anything() }),
    );
  });

  it('are refused once expired, and say so', async () => {
    const { accessToken } = await issueAccessToken(aizada, config, at, 'token-3');
    const verdict = verifyAt(new Date(at.getTime() + 900_000))(accessToken);
    await expect(verdict).rejects.toThrow(InvalidToken);
    await expect(verdict).rejects.toMatchObject({ expired: true, message: 'the token has expired' });
  });

  it('are refused when signed with another secret', async () => {
    const forger = {
      ...config,
      secret: new TextEncoder().encode('another secret, also thirty-two bytes long'),
    };
    const { accessToken } = await issueAccessToken(admin, forger, at, 'token-4');
    await expect(verifyAt(at)(accessToken)).rejects.toMatchObject({ name: 'InvalidToken', expired: false });
  });

  it('are refused when the claims were changed after signing', async () => {
    const { accessToken } = await issueAccessToken(aizada, config, at, 'token-5');
    const [header, payload, signature] = accessToken.split('.');
    const promoted = segment({ ...claimsOf(accessToken), platformRole: 'admin' });
    expect(promoted).not.toBe(payload);
    await expect(verifyAt(at)([header, promoted, signature].join('.'))).rejects.toThrow(InvalidToken);
  });

  it('are refused unsigned (alg none)', async () => {
    const { accessToken } = await issueAccessToken(admin, config, at, 'token-6');
    const unsigned = `${segment({ alg: 'none', typ: 'at+jwt' })}.${accessToken.split('.')[1]}.`;
    await expect(verifyAt(at)(unsigned)).rejects.toThrow(InvalidToken);
  });

  it('are refused under another algorithm, even with the right secret', async () => {
    const token = await new SignJWT({ email: admin.email, platformRole: 'admin' })
      .setProtectedHeader({ alg: 'HS512', typ: 'at+jwt' })
      .setSubject(admin.userId)
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setIssuedAt(at)
      .setExpirationTime(new Date(at.getTime() + 60_000))
      .setJti('token-7')
      .sign(config.secret);
    await expect(verifyAt(at)(token)).rejects.toThrow(InvalidToken);
  });

  const signedWith = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ email: aizada.email, ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...header })
      .setIssuedAt(at)
      .setExpirationTime(new Date(at.getTime() + 60_000))
      .sign(config.secret);
  const complete = { sub: aizada.userId, iss: 'observa', aud: 'observa-api', jti: 'token-8' };

  it.each([
    ['for another audience', { ...complete, aud: 'observa-admin' }],
    ['from another issuer', { ...complete, iss: 'someone' }],
    ['without a token id', { ...complete, jti: undefined }],
    ['without a subject', { ...complete, sub: undefined }],
    ['without an email', { ...complete, email: undefined }],
    ['with a platform role that does not exist', { ...complete, platformRole: 'root' }],
  ])('are refused %s', async (_, claims) => {
    await expect(verifyAt(at)(await signedWith(claims))).rejects.toThrow(InvalidToken);
  });

  it('are refused when not typed as access tokens', async () => {
    await expect(verifyAt(at)(await signedWith(complete, { typ: 'JWT' }))).rejects.toThrow(InvalidToken);
    await expect(verifyAt(at)(await signedWith(complete))).resolves.toMatchObject({ userId: aizada.userId });
  });

  it.each([
    ['empty', ''],
    ['one word', 'Bearer'],
    ['three dots of nothing', '..'],
    ['three parts of garbage', 'abc.def.ghi'],
    [
      'JSON that is not a JWT',
      `${segment({ alg: 'HS256' })}.${Buffer.from('not json').toString('base64url')}.c2ln`,
    ],
  ])('are refused when malformed: %s', async (_, token) => {
    await expect(verifyAt(at)(token)).rejects.toThrow(InvalidToken);
  });
});

describe('tokens of an external OIDC issuer, read through its JWKS', () => {
  let server: Server;
  let privateKey: CryptoKey;
  let jwks: { keys: JWK[] } = { keys: [] };
  let oidc: OidcConfig;
  const issuer = 'https://login.example.org/realms/observa';
  const audience = 'observa';

  const issued = (key: CryptoKey, claims: Record<string, unknown> = {}, alg = 'ES256', kid = 'key-1') =>
    new SignJWT({ email: aizada.email, ...claims })
      .setProtectedHeader({ alg, kid })
      .setSubject('f3a9-external-sub')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(at)
      .setExpirationTime(new Date(at.getTime() + 300_000))
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' }] };
    server = createServer((req, res) => {
      if (req.url !== '/certs') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    oidc = { jwksUrl: new URL(`http://127.0.0.1:${port}/certs`), issuer, audience };
  });
  afterAll(() => new Promise((resolve) => server?.close(resolve)));

  const verify = (token: string, instant = at) =>
    verifierFor({ tokens: config, oidc }, { now: () => instant })(token);

  it('verifies a token the issuer signed, with the key its JWKS publishes', async () => {
    await expect(verify(await issued(privateKey, { platformRole: 'admin' }))).resolves.toEqual({
      userId: 'f3a9-external-sub',
      email: aizada.email,
      platformRole: 'admin',
      expiresAt: new Date(at.getTime() + 300_000),
    });
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const stranger = await generateKeyPair('ES256');
    await expect(verify(await issued(stranger.privateKey))).rejects.toThrow(InvalidToken);
  });

  it('refuses our own tokens: with an issuer configured, the local secret no longer counts', async () => {
    const { accessToken } = await issueAccessToken(admin, config, at, 'token-9');
    await expect(verify(accessToken)).rejects.toThrow(InvalidToken);
  });

  it('refuses a symmetric token keyed with the public key (algorithm confusion)', async () => {
    const publicJwk = JSON.stringify(jwks.keys[0]);
    const token = await issued(new TextEncoder().encode(publicJwk) as unknown as CryptoKey, {}, 'HS256');
    await expect(verify(token)).rejects.toThrow(InvalidToken);
  });

  it('refuses an expired token, allowing 30 s between the clocks', async () => {
    const token = await issued(privateKey);
    await expect(verify(token, new Date(at.getTime() + 329_000))).resolves.toMatchObject({
      email: aizada.email,
    });
    await expect(verify(token, new Date(at.getTime() + 331_000))).rejects.toMatchObject({ expired: true });
  });

  it('refuses a token for another audience', async () => {
    const token = await new SignJWT({ email: aizada.email })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setSubject('f3a9-external-sub')
      .setIssuer(issuer)
      .setAudience('some-other-app')
      .setExpirationTime(new Date(at.getTime() + 300_000))
      .sign(privateKey);
    await expect(verify(token)).rejects.toThrow(InvalidToken);
  });

  it('says the issuer is unavailable, not that the token is bad, when its keys cannot be fetched', async () => {
    const gone = { ...oidc, jwksUrl: new URL('http://127.0.0.1:9/certs') };
    const token = await issued(privateKey);
    await expect(verifierFor({ tokens: config, oidc: gone }, { now: () => at })(token)).rejects.toThrow(
      IssuerUnavailable,
    );
  });
});

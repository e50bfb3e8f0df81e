import { describe, expect, it } from '@jest/globals';
import { ConfigInvalid } from '#platform';
import { loadAuthConfig } from './auth-config.js';

const SECRET = 'x'.repeat(32);
const oidc = {
  OBSERVA_OIDC_JWKS_URL: 'https://login.example.org/realms/observa/protocol/openid-connect/certs',
  OBSERVA_OIDC_ISSUER: 'https://login.example.org/realms/observa',
  OBSERVA_OIDC_AUDIENCE: 'observa',
};
const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadAuthConfig(env);
  } catch (error) {
    if (error instanceof ConfigInvalid) return [...error.problems];
    throw error;
  }
  return [];
};

describe('the token configuration', () => {
  it('signs with the configured secret for 15 minutes by default', () => {
    const config = loadAuthConfig({ OBSERVA_JWT_SECRET: SECRET });
    expect(config).toEqual({
      tokens: {
        secret: new TextEncoder().encode(SECRET),
        issuer: 'observa',
        audience: 'observa-api',
        ttlSeconds: 900,
      },
      secretGenerated: false,
    });
  });

  it('generates a secret when none is set, and says so', () => {
    const secret = new Uint8Array(32).fill(7);
    const config = loadAuthConfig({}, () => secret);
    expect(config.tokens.secret).toBe(secret);
    expect(config.secretGenerated).toBe(true);
    expect(config.oidc).toBeUndefined();
  });

  it('takes an external issuer when all three of its variables are set', () =>
    expect(loadAuthConfig({ OBSERVA_JWT_SECRET: SECRET, ...oidc }).oidc).toEqual({
      jwksUrl: new URL(oidc.OBSERVA_OIDC_JWKS_URL),
      issuer: oidc.OBSERVA_OIDC_ISSUER,
      audience: 'observa',
    }));

  it('takes a JWKS over plain http only on this machine', () => {
    const local = { ...oidc, OBSERVA_OIDC_JWKS_URL: 'http://127.0.0.1:8080/certs' };
    expect(loadAuthConfig({ OBSERVA_JWT_SECRET: SECRET, ...local }).oidc?.jwksUrl.port).toBe('8080');
    expect(problemsOf({ ...oidc, OBSERVA_OIDC_JWKS_URL: 'http://login.example.org/certs' })).toEqual([
      expect.stringMatching(
        /^OBSERVA_OIDC_JWKS_URL="http:\/\/login.example.org\/certs" is invalid: expected an https/,
      ),
    ]);
  });

  it('names every bad variable at once', () =>
    expect(
      problemsOf({
        OBSERVA_JWT_SECRET: 'short',
        OBSERVA_TOKEN_TTL_SECONDS: '15m',
        OBSERVA_OIDC_JWKS_URL: oidc.OBSERVA_OIDC_JWKS_URL,
      }),
    ).toEqual([
      'OBSERVA_JWT_SECRET is invalid: expected at least 32 bytes, it has 5',
      'OBSERVA_TOKEN_TTL_SECONDS="15m" is invalid: expected whole seconds from 60 to 86400',
      expect.stringMatching(/^OBSERVA_OIDC_ISSUER, OBSERVA_OIDC_AUDIENCE must be set too/),
    ]));

  it.each(['59', '86401', '-5', '1e3'])('refuses a lifetime of %s seconds', (ttl) =>
    expect(problemsOf({ OBSERVA_JWT_SECRET: SECRET, OBSERVA_TOKEN_TTL_SECONDS: ttl })).toHaveLength(1),
  );
});

import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '#platform';
import { authConfigOf } from './auth-config.js';

const SECRET = 'x'.repeat(32);
const oidc = {
  OBSERVA_OIDC_JWKS_URL: 'https://login.example.org/realms/observa/protocol/openid-connect/certs',
  OBSERVA_OIDC_ISSUER: 'https://login.example.org/realms/observa',
  OBSERVA_OIDC_AUDIENCE: 'observa',
};

// The checks of these variables are the configuration schema's (libs/platform config.spec.ts).
describe('the token configuration', () => {
  it('signs with the configured secret for 15 minutes by default', () => {
    const config = authConfigOf(loadConfig({ OBSERVA_JWT_SECRET: SECRET }));
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
    const config = authConfigOf(loadConfig({}), () => secret);
    expect(config.tokens.secret).toBe(secret);
    expect(config.secretGenerated).toBe(true);
    expect(config.oidc).toBeUndefined();
  });

  it('takes the configured lifetime', () =>
    expect(
      authConfigOf(loadConfig({ OBSERVA_JWT_SECRET: SECRET, OBSERVA_TOKEN_TTL_SECONDS: '3600' })).tokens
        .ttlSeconds,
    ).toBe(3600));

  it('takes an external issuer when all three of its variables are set', () =>
    expect(authConfigOf(loadConfig({ OBSERVA_JWT_SECRET: SECRET, ...oidc })).oidc).toEqual({
      jwksUrl: new URL(oidc.OBSERVA_OIDC_JWKS_URL),
      issuer: oidc.OBSERVA_OIDC_ISSUER,
      audience: 'observa',
    }));
});

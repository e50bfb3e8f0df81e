/** The token settings of identity, taken from the checked configuration (libs/platform config.ts). */
import { randomBytes } from 'node:crypto';
import { MIN_JWT_SECRET_BYTES, type AppConfig } from '#platform';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type AuthConfig } from './token.js';

export type LoadedAuthConfig = AuthConfig & {
  /** No OBSERVA_JWT_SECRET was set: tokens die with the process, and one gateway process is all that may run. */
  readonly secretGenerated: boolean;
};

/**
 * OBSERVA_JWT_SECRET (generated per process when unset), OBSERVA_TOKEN_TTL_SECONDS and the external
 * issuer (see token.ts), as the configuration schema has already checked them.
 */
export const authConfigOf = (
  config: Pick<AppConfig, 'jwtSecret' | 'tokenTtlSeconds' | 'oidc'>,
  generateSecret: () => Uint8Array = () => randomBytes(MIN_JWT_SECRET_BYTES),
): LoadedAuthConfig => ({
  tokens: {
    secret: config.jwtSecret === undefined ? generateSecret() : new TextEncoder().encode(config.jwtSecret),
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    ttlSeconds: config.tokenTtlSeconds,
  },
  ...(config.oidc && { oidc: config.oidc }),
  secretGenerated: config.jwtSecret === undefined,
});

/** The token settings from the environment, checked once at start; every bad value is named. */
import { randomBytes } from 'node:crypto';
import { ConfigInvalid } from '#platform';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type AuthConfig, type OidcConfig } from './token.js';

const MIN_SECRET_BYTES = 32;
const DEFAULT_TTL_SECONDS = 15 * 60;
const MAX_TTL_SECONDS = 24 * 60 * 60;
const OIDC_VARIABLES = ['OBSERVA_OIDC_JWKS_URL', 'OBSERVA_OIDC_ISSUER', 'OBSERVA_OIDC_AUDIENCE'] as const;

const isLoopback = (host: string): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(host);

export type LoadedAuthConfig = AuthConfig & {
  /** No OBSERVA_JWT_SECRET was set: tokens die with the process, and one gateway process is all that may run. */
  readonly secretGenerated: boolean;
};

/**
 * OBSERVA_JWT_SECRET (≥ 32 bytes; generated per process when unset), OBSERVA_TOKEN_TTL_SECONDS (60…86400,
 * default 900), and the three OBSERVA_OIDC_* variables, all set or none (see token.ts).
 * @throws ConfigInvalid with one line per bad variable
 */
export const loadAuthConfig = (
  env: NodeJS.ProcessEnv = process.env,
  generateSecret: () => Uint8Array = () => randomBytes(MIN_SECRET_BYTES),
): LoadedAuthConfig => {
  const value = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];

  const secretText = value('OBSERVA_JWT_SECRET');
  const secret = secretText === undefined ? generateSecret() : new TextEncoder().encode(secretText);
  if (secret.length < MIN_SECRET_BYTES)
    problems.push(
      `OBSERVA_JWT_SECRET is invalid: expected at least ${MIN_SECRET_BYTES} bytes, it has ${secret.length}`,
    );

  const ttlText = value('OBSERVA_TOKEN_TTL_SECONDS');
  const ttlSeconds = ttlText === undefined ? DEFAULT_TTL_SECONDS : Number(ttlText);
  if (!/^\d+$/.test(ttlText ?? '900') || ttlSeconds < 60 || ttlSeconds > MAX_TTL_SECONDS)
    problems.push(
      `OBSERVA_TOKEN_TTL_SECONDS=${JSON.stringify(ttlText)} is invalid: expected whole seconds from 60 to ${MAX_TTL_SECONDS}`,
    );

  let oidc: OidcConfig | undefined;
  const present = OIDC_VARIABLES.filter((name) => value(name) !== undefined);
  if (present.length > 0 && present.length < OIDC_VARIABLES.length)
    problems.push(
      `${OIDC_VARIABLES.filter((name) => !present.includes(name)).join(', ')} must be set too: an external issuer needs ${OIDC_VARIABLES.join(', ')}`,
    );
  else if (present.length === OIDC_VARIABLES.length) {
    const urlText = value('OBSERVA_OIDC_JWKS_URL') as string;
    const url = URL.canParse(urlText) ? new URL(urlText) : undefined;
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))))
      problems.push(
        `OBSERVA_OIDC_JWKS_URL=${JSON.stringify(urlText)} is invalid: expected an https:// URL (http:// only on this machine)`,
      );
    else
      oidc = {
        jwksUrl: url,
        issuer: value('OBSERVA_OIDC_ISSUER') as string,
        audience: value('OBSERVA_OIDC_AUDIENCE') as string,
      };
  }

  if (problems.length > 0) throw new ConfigInvalid(problems);
  return {
    tokens: { secret, issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, ttlSeconds },
    ...(oidc && { oidc }),
    secretGenerated: secretText === undefined,
  };
};

/**
 * Access tokens: JWTs signed by Observa (HS256 with a secret from config), or — in a deployment that trusts
 * an external OpenID Connect issuer instead — JWTs that issuer signed with a key it publishes as a JWKS.
 *
 * Plugging in an external issuer (Keycloak, Entra ID, Auth0, …):
 * - set OBSERVA_OIDC_JWKS_URL (the issuer's `jwks_uri`, from its /.well-known/openid-configuration),
 *   OBSERVA_OIDC_ISSUER (its `issuer`, exactly) and OBSERVA_OIDC_AUDIENCE (the audience it puts in tokens
 *   meant for Observa); `verifierFor` then verifies with jose's `createRemoteJWKSet`, which fetches the keys,
 *   caches them, and fetches again when a token names a key id it has not seen (key rotation);
 * - only asymmetric algorithms are accepted from it (RS*, PS*, ES*, EdDSA): an HS256 token "signed" with
 *   the issuer's public key must not pass (algorithm confusion);
 * - its access tokens must carry `sub` (becomes the Observa user id: mission roles are granted to it),
 *   `email`, and for platform administrators a `platformRole: "admin"` claim (a claim mapper in the issuer);
 * - Observa's own login (POST /auth/token) is then off: tokens it signed would not be accepted anyway.
 */
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { PLATFORM_ROLES, type PlatformRole } from './domain/roles.js';

/** Who a token speaks for. */
export type TokenSubject = {
  readonly userId: string;
  readonly email: string;
  readonly platformRole?: PlatformRole;
};

export type VerifiedToken = TokenSubject & {
  /** `jti`: always present in Observa's tokens, present in an external issuer's only if it sets one. */
  readonly tokenId?: string;
  readonly expiresAt: Date;
};

export type AccessToken = { readonly accessToken: string; readonly expiresIn: number };

/** Resolves to the token's subject, or rejects with InvalidToken (or IssuerUnavailable). */
export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export type LocalTokenConfig = {
  /** At least 32 bytes. */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
};

export type OidcConfig = { readonly jwksUrl: URL; readonly issuer: string; readonly audience: string };

export type AuthConfig = {
  readonly tokens: LocalTokenConfig;
  /** When set, tokens are verified against this issuer's keys, not the local secret. */
  readonly oidc?: OidcConfig;
};

/** The token is not one to accept: malformed, forged, expired, not for us. The answer is a 401. */
export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

/** The external issuer's keys could not be fetched: not the caller's fault, so not a 401. */
export class IssuerUnavailable extends Error {
  override readonly name = 'IssuerUnavailable';
}

export const LOCAL_ISSUER = 'observa';
export const LOCAL_AUDIENCE = 'observa-api';
/** RFC 9068: marks an access token, so that no other JWT signed with the same secret passes as one. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
const LOCAL_ALGORITHM = 'HS256';
const EXTERNAL_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** Between our clock and an external issuer's. Our own tokens get none: one clock signs and checks. */
const EXTERNAL_CLOCK_TOLERANCE_SECONDS = 30;

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Signs a token for the subject, valid from `at` for the configured time. Pure apart from the crypto. */
export const issueAccessToken = async (
  subject: TokenSubject,
  config: LocalTokenConfig,
  at: Date,
  tokenId: string,
): Promise<AccessToken> => {
  const accessToken = await new SignJWT({
    email: subject.email,
    ...(subject.platformRole && { platformRole: subject.platformRole }),
  })
    .setProtectedHeader({ alg: LOCAL_ALGORITHM, typ: ACCESS_TOKEN_TYPE })
    .setSubject(subject.userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(seconds(at))
    .setExpirationTime(seconds(at) + config.ttlSeconds)
    .setJti(tokenId)
    .sign(config.secret);
  return { accessToken, expiresIn: config.ttlSeconds };
};

const TOKEN_FAULTS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

const subjectOf = (payload: JWTPayload): TokenSubject => {
  const { sub, email, platformRole } = payload;
  if (typeof sub !== 'string' || sub === '') throw new InvalidToken('the token names no subject');
  if (typeof email !== 'string' || email === '') throw new InvalidToken('the token carries no email');
  if (platformRole !== undefined && !PLATFORM_ROLES.includes(platformRole as PlatformRole))
    throw new InvalidToken('the token carries an unknown platform role');
  return {
    userId: sub,
    email,
    ...(platformRole !== undefined && { platformRole: platformRole as PlatformRole }),
  };
};

const verifying =
  (
    key: Uint8Array | JWTVerifyGetKey,
    options: Omit<Parameters<typeof jwtVerify>[2] & object, 'currentDate'>,
    now: () => Date,
  ): TokenVerifier =>
  async (token) => {
    if (typeof token !== 'string' || token === '') throw new InvalidToken('no token');
    let payload: JWTPayload;
    try {
      // The two overloads of jwtVerify (key or key resolver) are one call for us.
      ({ payload } = await jwtVerify(token, key as Uint8Array, { ...options, currentDate: now() }));
    } catch (error) {
      if (error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code))
        throw new InvalidToken(
          error instanceof errors.JWTExpired
            ? 'the token has expired'
            : `the token is not valid: ${error.message}`,
          error instanceof errors.JWTExpired,
        );
      throw new IssuerUnavailable(`the token issuer's keys could not be read: ${String(error)}`, {
        cause: error,
      });
    }
    return {
      ...subjectOf(payload),
      ...(typeof payload.jti === 'string' && { tokenId: payload.jti }),
      expiresAt: new Date((payload.exp as number) * 1000),
    };
  };

/** Verifies tokens this deployment signed. */
export const localVerifier = (config: LocalTokenConfig, now: () => Date = () => new Date()): TokenVerifier =>
  verifying(
    config.secret,
    {
      algorithms: [LOCAL_ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      clockTolerance: 0,
    },
    now,
  );

/** Verifies tokens an external OIDC issuer signed with one of the keys it publishes at its JWKS URL. */
export const jwksVerifier = (config: OidcConfig, now: () => Date = () => new Date()): TokenVerifier =>
  verifying(
    createRemoteJWKSet(config.jwksUrl, { timeoutDuration: 5000 }),
    {
      algorithms: EXTERNAL_ALGORITHMS,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['sub', 'exp'],
      clockTolerance: EXTERNAL_CLOCK_TOLERANCE_SECONDS,
    },
    now,
  );

/** The external issuer when one is configured, else the local secret. */
export const verifierFor = (
  config: AuthConfig,
  options: { readonly now?: () => Date } = {},
): TokenVerifier =>
  config.oidc ? jwksVerifier(config.oidc, options.now) : localVerifier(config.tokens, options.now);

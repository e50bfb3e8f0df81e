/**
 * The one configuration schema of every Observa process (standalone, gateway, contexts): every variable
 * of the README's Configuration table, checked once at start, every bad value named before anything
 * opens. Hosts read it with loadConfigOrExit() and hand it to AppConfigModule, which serves it through
 * @nestjs/config's ConfigService (and as `AppConfig`) to whatever is injected with it.
 */
import { isIP } from 'node:net';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import {
  IsIn,
  IsOptional,
  IsPort,
  IsString,
  NotEquals,
  ValidateBy,
  validateSync,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const MAX_BODY_LIMIT_BYTES = 100 * 1024 * 1024;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i;
const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** `512kb`, `1mb`, `2048` (bytes) → bytes; undefined when it is not such a size. */
export const parseByteSize = (text: string): number | undefined => {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? 'b') as keyof typeof UNIT_BYTES;
  return Math.floor(Number(match[1]) * UNIT_BYTES[unit]);
};

const isPostgresUrl = (text: string): boolean => {
  try {
    const url = new URL(text);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
};

const BROKER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
const isBrokerList = (text: string): boolean =>
  text.split(',').every((broker) => {
    const port = BROKER.exec(broker.trim())?.[1];
    return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
  });

/** As the KurrentDB client takes it; several nodes are comma-separated, which URL would refuse. */
const isEventStoreDbUrl = (text: string): boolean =>
  /^(?:esdb|kurrentdb|kurrent)(?:\+discover)?:\/\/(?:[^\s/@]+@)?[^\s/?@,]+(?:,[^\s/?@,]+)*\/?(?:\?\S*)?$/i.test(
    text,
  );

/** host:port, as gRPC takes it (GRPC_URL, <CONTEXT>_GRPC_URL). */
const isGrpcAddress = (text: string): boolean => {
  const port = Number(BROKER.exec(text)?.[1]);
  return port >= 1 && port <= 65535;
};

export const MIN_JWT_SECRET_BYTES = 32;
const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
const byteLength = (text: string): number => new TextEncoder().encode(text).length;

const isLoopback = (host: string): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(host);
/** https://, or http:// on this machine (a test issuer). */
const isJwksUrl = (text: string): boolean => {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return !!url && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)));
};

const isHost = (text: string): boolean =>
  isIP(text) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?$/.test(text);

const isTrustProxy = (text: string): boolean => {
  if (/^(?:loopback|linklocal|uniquelocal)$/.test(text)) return true;
  if (/^\d+$/.test(text)) return Number(text) >= 1 && Number(text) <= 10;
  return text.split(',').every((entry) => {
    const [address, bits, ...rest] = entry.trim().split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
};

/** An origin as a browser sends it: scheme, host and port only; `*` is not one (say which apps may call). */
const isOrigin = (text: string): boolean => {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text;
  } catch {
    return false;
  }
};
const isOriginList = (text: string): boolean => text.split(',').every((origin) => isOrigin(origin.trim()));

const isBodyLimit = (text: string): boolean => {
  const bytes = parseByteSize(text);
  return bytes !== undefined && bytes >= 1 && bytes <= MAX_BODY_LIMIT_BYTES;
};

/** A class-validator rule from a predicate; its message is what the value should have been. */
const Satisfies = (
  name: string,
  test: (text: string) => boolean,
  options: ValidationOptions,
): PropertyDecorator =>
  ValidateBy({ name, validator: { validate: (value) => typeof value === 'string' && test(value) } }, options);

const expected = (what: string): ValidationOptions => ({ message: what });

/** The variables as they come, named as in the environment so that an error names the variable. */
class Environment {
  @IsOptional()
  @IsPort(expected('an integer from 1 to 65535'))
  @NotEquals('0', expected('an integer from 1 to 65535'))
  PORT?: string;

  /** Any folder path; `memory://` keeps nothing on disk. Used only when DATABASE_URL is unset. */
  @IsOptional()
  @IsString()
  OBSERVA_DATA_DIR?: string;

  @IsOptional()
  @Satisfies('postgresUrl', isPostgresUrl, expected('a postgres:// or postgresql:// URL'))
  DATABASE_URL?: string;

  /** The key-encryption key's file; made on first start. Required with DATABASE_URL where personal data is kept. */
  @IsOptional()
  @IsString()
  OBSERVA_KEK_FILE?: string;

  @IsOptional()
  @IsIn([...LOG_LEVELS], expected(`one of ${LOG_LEVELS.join(', ')}`))
  LOG_LEVEL?: string;

  @IsOptional()
  @Satisfies(
    'brokerList',
    isBrokerList,
    expected('a comma-separated list of host:port, e.g. localhost:9092,kafka-2:9092'),
  )
  KAFKA_BROKERS?: string;

  @IsOptional()
  @Satisfies('bodyLimit', isBodyLimit, expected('a size from 1 byte to 100mb, e.g. 512kb or 1mb'))
  OBSERVA_BODY_LIMIT?: string;

  @IsOptional()
  @Satisfies('host', isHost, expected('an address to listen on: 127.0.0.1, 0.0.0.0, ::, ::1 or a host name'))
  OBSERVA_HOST?: string;

  @IsOptional()
  @Satisfies(
    'trustProxy',
    isTrustProxy,
    expected(
      'loopback, a number of proxy hops from 1 to 10, or comma-separated addresses/CIDRs of the proxies',
    ),
  )
  OBSERVA_TRUST_PROXY?: string;

  @IsOptional()
  @Satisfies(
    'corsOrigins',
    isOriginList,
    expected('a comma-separated list of origins, e.g. https://app.mission.example,http://localhost:5173'),
  )
  OBSERVA_CORS_ORIGINS?: string;

  /** When set, the event store is this EventStoreDB/KurrentDB server (read models stay at DATABASE_URL). */
  @IsOptional()
  @Satisfies(
    'eventStoreDbUrl',
    isEventStoreDbUrl,
    expected('an esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover:// connection string'),
  )
  EVENTSTOREDB_URL?: string;

  /** Never printed: a refusal says how long it is, not what it is. */
  @IsOptional()
  @Satisfies('jwtSecret', (text) => byteLength(text) >= MIN_JWT_SECRET_BYTES, {
    message: ({ value }: ValidationArguments) =>
      `at least ${MIN_JWT_SECRET_BYTES} bytes, it has ${byteLength(String(value))}`,
  })
  OBSERVA_JWT_SECRET?: string;

  @IsOptional()
  @Satisfies(
    'tokenTtl',
    (text) => /^\d+$/.test(text) && Number(text) >= 60 && Number(text) <= MAX_TOKEN_TTL_SECONDS,
    expected(`whole seconds from 60 to ${MAX_TOKEN_TTL_SECONDS}`),
  )
  OBSERVA_TOKEN_TTL_SECONDS?: string;

  @IsOptional()
  @Satisfies('jwksUrl', isJwksUrl, expected('an https:// URL (http:// only on this machine)'))
  OBSERVA_OIDC_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  OBSERVA_OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  OBSERVA_OIDC_AUDIENCE?: string;

  @IsOptional()
  @IsString()
  OBSERVA_ADMIN_EMAIL?: string;

  /** Never printed; its length is the password policy's to judge (libs/auth admin-bootstrap.ts). */
  @IsOptional()
  @IsString()
  OBSERVA_ADMIN_PASSWORD?: string;
}

/** Variables whose value no refusal prints. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['OBSERVA_JWT_SECRET', 'OBSERVA_ADMIN_PASSWORD']);
const OIDC_VARIABLES = ['OBSERVA_OIDC_JWKS_URL', 'OBSERVA_OIDC_ISSUER', 'OBSERVA_OIDC_AUDIENCE'] as const;
/** GRPC_URL (a context's own address) and <CONTEXT>_GRPC_URL (where the gateway reaches a context). */
const GRPC_URL_VARIABLE = /^(?:[A-Z][A-Z0-9_]*_)?GRPC_URL$/;

const VARIABLES = [
  'PORT',
  'OBSERVA_DATA_DIR',
  'DATABASE_URL',
  'OBSERVA_KEK_FILE',
  'LOG_LEVEL',
  'KAFKA_BROKERS',
  'OBSERVA_BODY_LIMIT',
  'OBSERVA_HOST',
  'OBSERVA_TRUST_PROXY',
  'OBSERVA_CORS_ORIGINS',
  'EVENTSTOREDB_URL',
  'OBSERVA_JWT_SECRET',
  'OBSERVA_TOKEN_TTL_SECONDS',
  ...OIDC_VARIABLES,
  'OBSERVA_ADMIN_EMAIL',
  'OBSERVA_ADMIN_PASSWORD',
] as const;

/** An external OIDC issuer whose tokens are trusted instead of local logins. */
export type OidcSettings = { readonly jwksUrl: URL; readonly issuer: string; readonly audience: string };

/** What the process runs with. Also the injection token of the configuration. */
export class AppConfig {
  readonly port: number = 3000;
  readonly dataDir: string = './data';
  /** When set, the event store is this Postgres server instead of the embedded PGlite. */
  readonly databaseUrl?: string;
  /**
   * The file of the key that wraps every person key (personal data vault); unset, the embedded store
   * keeps it next to its data folder (`<dataDir>.kek`).
   */
  readonly kekFile?: string;
  readonly logLevel: LogLevelName = 'info';
  readonly kafkaBrokers: readonly string[] = [];
  readonly bodyLimitBytes: number = 1024 * 1024;
  /** The address the HTTP server listens on: loopback unless told otherwise (0.0.0.0 in a container). */
  readonly host: string = '127.0.0.1';
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (throttling, logs), as Express's
   * `trust proxy` takes it; none by default, so a client cannot claim another address.
   */
  readonly trustProxy: false | number | string = false;
  /** Web apps on these origins may call the API from a browser; none by default. */
  readonly corsOrigins: readonly string[] = [];
  /** When set, the event store is this EventStoreDB/KurrentDB server; read models stay in Postgres (databaseUrl). */
  readonly eventStoreDbUrl?: string;
  /** The HS256 key of access tokens; unset, identity generates one per process. */
  readonly jwtSecret?: string;
  readonly tokenTtlSeconds: number = 15 * 60;
  readonly oidc?: OidcSettings;
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  /** The gRPC addresses set in the environment, by variable: GRPC_URL, MISSIONS_GRPC_URL, … */
  readonly grpcUrls: Readonly<Record<string, string>> = {};

  constructor(values: Partial<AppConfig> = {}) {
    Object.assign(this, values);
  }
}

export class ConfigInvalid extends Error {
  override readonly name = 'ConfigInvalid';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Never print a password, not even in an error about the URL that holds it. */
const redactPassword = (text: string): string =>
  text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');

/**
 * Reads and checks the variables. An empty variable counts as unset.
 * @throws ConfigInvalid with one line per bad variable: its name, its value, what is expected
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  const raw = new Environment();
  for (const name of VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const problems = validateSync(raw, { forbidUnknownValues: true }).map((error) => {
    const message = Object.values(error.constraints ?? {})[0] ?? 'a valid value';
    const shown = SECRET_VARIABLES.has(error.property)
      ? error.property
      : `${error.property}=${JSON.stringify(redactPassword(String(error.value)))}`;
    return `${shown} is invalid: expected ${message}`;
  });
  const oidcSet = OIDC_VARIABLES.filter((name) => raw[name] !== undefined);
  if (oidcSet.length > 0 && oidcSet.length < OIDC_VARIABLES.length)
    problems.push(
      `${OIDC_VARIABLES.filter((name) => !oidcSet.includes(name)).join(', ')} must be set too: an external issuer needs ${OIDC_VARIABLES.join(', ')}`,
    );
  if (
    raw.EVENTSTOREDB_URL &&
    !raw.DATABASE_URL &&
    !problems.some((line) => line.startsWith('EVENTSTOREDB_URL'))
  )
    problems.push(
      'EVENTSTOREDB_URL needs DATABASE_URL too: read models, checkpoints and keys stay on a Postgres server',
    );
  const grpcUrls: Record<string, string> = {};
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!GRPC_URL_VARIABLE.test(name) || value === undefined || value === '') continue;
    if (isGrpcAddress(value)) grpcUrls[name] = value;
    else
      problems.push(`${name}=${JSON.stringify(value)} is invalid: expected host:port, e.g. 127.0.0.1:50051`);
  }
  if (problems.length > 0) throw new ConfigInvalid(problems);
  return new AppConfig({
    ...(raw.PORT && { port: Number(raw.PORT) }),
    ...(raw.OBSERVA_DATA_DIR && { dataDir: raw.OBSERVA_DATA_DIR }),
    ...(raw.DATABASE_URL && { databaseUrl: raw.DATABASE_URL }),
    ...(raw.OBSERVA_KEK_FILE && { kekFile: raw.OBSERVA_KEK_FILE }),
    ...(raw.LOG_LEVEL && { logLevel: raw.LOG_LEVEL as LogLevelName }),
    ...(raw.KAFKA_BROKERS && { kafkaBrokers: raw.KAFKA_BROKERS.split(',').map((broker) => broker.trim()) }),
    ...(raw.OBSERVA_BODY_LIMIT && { bodyLimitBytes: parseByteSize(raw.OBSERVA_BODY_LIMIT) }),
    ...(raw.OBSERVA_HOST && { host: raw.OBSERVA_HOST }),
    ...(raw.OBSERVA_CORS_ORIGINS && {
      corsOrigins: raw.OBSERVA_CORS_ORIGINS.split(',').map((origin) => origin.trim()),
    }),
    ...(raw.OBSERVA_TRUST_PROXY && {
      trustProxy: /^\d+$/.test(raw.OBSERVA_TRUST_PROXY)
        ? Number(raw.OBSERVA_TRUST_PROXY)
        : raw.OBSERVA_TRUST_PROXY,
    }),
    ...(raw.EVENTSTOREDB_URL && { eventStoreDbUrl: raw.EVENTSTOREDB_URL }),
    ...(raw.OBSERVA_JWT_SECRET && { jwtSecret: raw.OBSERVA_JWT_SECRET }),
    ...(raw.OBSERVA_TOKEN_TTL_SECONDS && { tokenTtlSeconds: Number(raw.OBSERVA_TOKEN_TTL_SECONDS) }),
    ...(raw.OBSERVA_OIDC_JWKS_URL &&
      raw.OBSERVA_OIDC_ISSUER &&
      raw.OBSERVA_OIDC_AUDIENCE && {
        oidc: {
          jwksUrl: new URL(raw.OBSERVA_OIDC_JWKS_URL),
          issuer: raw.OBSERVA_OIDC_ISSUER,
          audience: raw.OBSERVA_OIDC_AUDIENCE,
        },
      }),
    ...(raw.OBSERVA_ADMIN_EMAIL && { adminEmail: raw.OBSERVA_ADMIN_EMAIL }),
    ...(raw.OBSERVA_ADMIN_PASSWORD && { adminPassword: raw.OBSERVA_ADMIN_PASSWORD }),
    ...(Object.keys(grpcUrls).length > 0 && { grpcUrls }),
  });
};

/** `variable`'s address from the configuration (GRPC_URL, MISSIONS_GRPC_URL, …), or `fallback`. */
export const grpcUrlOf = (config: AppConfig, variable: string, fallback: string): string =>
  config.grpcUrls[variable] ?? fallback;

/** For main(): the configuration, or one line per bad value on stderr and exit code 1. */
export const loadConfigOrExit = (env: NodeJS.ProcessEnv = process.env): AppConfig => {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
};

/**
 * Makes the checked configuration injectable everywhere: @nestjs/config's ConfigService (typed
 * `ConfigService<AppConfig, true>`) and the `AppConfig` itself. The environment is read and checked
 * once, by loadConfig, before the module tree is built (which store to bind depends on it), so
 * ConfigModule is given that result and told not to read .env files or process.env again.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => ({ ...config })],
        }),
      ],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}

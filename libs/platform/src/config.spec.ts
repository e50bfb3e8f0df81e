import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AppConfig, AppConfigModule, ConfigInvalid, loadConfig, parseByteSize } from './config.js';

const SECRET = 'x'.repeat(32);
const OIDC = {
  OBSERVA_OIDC_JWKS_URL: 'https://login.example.org/realms/observa/protocol/openid-connect/certs',
  OBSERVA_OIDC_ISSUER: 'https://login.example.org/realms/observa',
  OBSERVA_OIDC_AUDIENCE: 'observa',
};

const problemsOf = (env: NodeJS.ProcessEnv): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigInvalid) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
};

describe('configuration from the environment', () => {
  it('runs on the embedded defaults when nothing is set', () => {
    expect({ ...loadConfig({}) }).toEqual({
      port: 3000,
      dataDir: './data',
      logLevel: 'info',
      kafkaBrokers: [],
      bodyLimitBytes: 1024 * 1024,
      host: '127.0.0.1',
      trustProxy: false,
      corsOrigins: [],
      tokenTtlSeconds: 900,
      grpcUrls: {},
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      OBSERVA_DATA_DIR: '/var/lib/observa',
      DATABASE_URL: 'postgresql://observa:secret@db.internal:5432/observa?sslmode=require',
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,[::1]:9094',
      OBSERVA_BODY_LIMIT: '512kb',
      OBSERVA_HOST: '0.0.0.0',
      OBSERVA_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7',
      OBSERVA_CORS_ORIGINS: 'https://app.mission.example, http://localhost:5173',
      EVENTSTOREDB_URL: 'esdb://eventstore:2113?tls=false',
      OBSERVA_JWT_SECRET: SECRET,
      OBSERVA_TOKEN_TTL_SECONDS: '3600',
      ...OIDC,
      OBSERVA_ADMIN_EMAIL: 'root@mission.example',
      OBSERVA_ADMIN_PASSWORD: 'correct horse battery staple',
      GRPC_URL: '0.0.0.0:50051',
      MISSIONS_GRPC_URL: 'missions:50051',
      UNRELATED: 'not read',
    });
    expect({ ...config }).toEqual({
      port: 8080,
      dataDir: '/var/lib/observa',
      databaseUrl: 'postgresql://observa:secret@db.internal:5432/observa?sslmode=require',
      logLevel: 'debug',
      kafkaBrokers: ['kafka-1:9092', 'kafka-2:9093', '[::1]:9094'],
      bodyLimitBytes: 512 * 1024,
      host: '0.0.0.0',
      trustProxy: '10.0.0.0/8, 192.168.1.7',
      corsOrigins: ['https://app.mission.example', 'http://localhost:5173'],
      eventStoreDbUrl: 'esdb://eventstore:2113?tls=false',
      jwtSecret: SECRET,
      tokenTtlSeconds: 3600,
      oidc: {
        jwksUrl: new URL(OIDC.OBSERVA_OIDC_JWKS_URL),
        issuer: OIDC.OBSERVA_OIDC_ISSUER,
        audience: OIDC.OBSERVA_OIDC_AUDIENCE,
      },
      adminEmail: 'root@mission.example',
      adminPassword: 'correct horse battery staple',
      grpcUrls: { GRPC_URL: '0.0.0.0:50051', MISSIONS_GRPC_URL: 'missions:50051' },
    });
  });

  it.each([
    ['1', 1],
    ['65535', 65535],
  ])('takes PORT=%s, a bound of the port range', (value, port) =>
    expect(loadConfig({ PORT: value }).port).toBe(port),
  );

  it('takes a JWT secret of exactly 32 bytes, counted in bytes not characters', () => {
    expect(loadConfig({ OBSERVA_JWT_SECRET: SECRET }).jwtSecret).toBe(SECRET);
    // 16 two-byte characters are 32 bytes.
    expect(loadConfig({ OBSERVA_JWT_SECRET: 'é'.repeat(16) }).jwtSecret).toBe('é'.repeat(16));
  });

  it.each([
    ['60', 60],
    ['86400', 86400],
  ])('takes a token lifetime of %s seconds, a bound', (value, seconds) =>
    expect(loadConfig({ OBSERVA_TOKEN_TTL_SECONDS: value }).tokenTtlSeconds).toBe(seconds),
  );

  it.each([
    ['loopback', 'loopback'],
    ['2', 2],
    ['::1/128', '::1/128'],
  ])('trusts the proxies OBSERVA_TRUST_PROXY=%s names', (value, trustProxy) =>
    expect(loadConfig({ OBSERVA_TRUST_PROXY: value }).trustProxy).toBe(trustProxy),
  );

  it('takes an empty variable as unset', () => {
    const config = loadConfig({
      PORT: '',
      DATABASE_URL: '',
      OBSERVA_JWT_SECRET: '',
      OBSERVA_OIDC_ISSUER: '',
      EVENTSTOREDB_URL: '',
      MISSIONS_GRPC_URL: '',
    });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
    expect(config.oidc).toBeUndefined();
    expect(config.eventStoreDbUrl).toBeUndefined();
    expect(config.grpcUrls).toEqual({});
  });

  it.each([
    ['PORT', 'abc', 'an integer from 1 to 65535'],
    ['PORT', '0', 'an integer from 1 to 65535'],
    ['PORT', '65536', 'an integer from 1 to 65535'],
    ['PORT', '-1', 'an integer from 1 to 65535'],
    ['DATABASE_URL', 'mysql://localhost/observa', 'a postgres:// or postgresql:// URL'],
    ['DATABASE_URL', 'not a url', 'a postgres:// or postgresql:// URL'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['KAFKA_BROKERS', 'localhost', 'a comma-separated list of host:port'],
    ['KAFKA_BROKERS', 'kafka-1:9092,kafka-2:99999', 'a comma-separated list of host:port'],
    ['OBSERVA_BODY_LIMIT', '1gb', 'a size from 1 byte to 100mb'],
    ['OBSERVA_BODY_LIMIT', '0', 'a size from 1 byte to 100mb'],
    ['OBSERVA_HOST', 'every interface', 'an address to listen on'],
    ['OBSERVA_HOST', '-dash.example', 'an address to listen on'],
    ['OBSERVA_TRUST_PROXY', 'true', 'loopback, a number of proxy hops'],
    ['OBSERVA_TRUST_PROXY', '0', 'loopback, a number of proxy hops'],
    ['OBSERVA_TRUST_PROXY', '11', 'loopback, a number of proxy hops'],
    ['OBSERVA_TRUST_PROXY', '10.0.0.0/33', 'loopback, a number of proxy hops'],
    ['OBSERVA_TRUST_PROXY', '10.0.0.0/8/1', 'loopback, a number of proxy hops'],
    ['OBSERVA_CORS_ORIGINS', '*', 'a comma-separated list of origins'],
    ['OBSERVA_CORS_ORIGINS', 'https://app.example/path', 'a comma-separated list of origins'],
    ['OBSERVA_CORS_ORIGINS', 'ftp://app.example', 'a comma-separated list of origins'],
    ['EVENTSTOREDB_URL', 'postgres://db/observa', 'an esdb://'],
    ['EVENTSTOREDB_URL', 'eventstore:2113', 'an esdb://'],
    ['OBSERVA_TOKEN_TTL_SECONDS', '59', 'whole seconds from 60 to 86400'],
    ['OBSERVA_TOKEN_TTL_SECONDS', '86401', 'whole seconds from 60 to 86400'],
    ['OBSERVA_TOKEN_TTL_SECONDS', '-5', 'whole seconds from 60 to 86400'],
    ['OBSERVA_TOKEN_TTL_SECONDS', '1e3', 'whole seconds from 60 to 86400'],
    ['OBSERVA_TOKEN_TTL_SECONDS', '15m', 'whole seconds from 60 to 86400'],
    ['GRPC_URL', 'missions', 'host:port'],
    ['GRPC_URL', '0.0.0.0:0', 'host:port'],
    ['ACCREDITATION_GRPC_URL', 'accreditation:65536', 'host:port'],
  ])('refuses %s=%s, naming the variable, the value and what is expected', (name, value, expected) => {
    expect(problemsOf({ [name]: value })).toEqual([
      expect.stringContaining(`${name}=${JSON.stringify(value)} is invalid: expected ${expected}`),
    ]);
  });

  it.each([
    [SECRET.slice(1), 31],
    ['é'.repeat(15) + 'x', 31],
  ])('refuses a JWT secret under 32 bytes without printing it', (secret, bytes) =>
    expect(problemsOf({ OBSERVA_JWT_SECRET: secret })).toEqual([
      `OBSERVA_JWT_SECRET is invalid: expected at least 32 bytes, it has ${bytes}`,
    ]),
  );

  it('takes EventStoreDB only beside a Postgres server for the read models', () => {
    expect(problemsOf({ EVENTSTOREDB_URL: 'esdb://eventstore:2113?tls=false' })).toEqual([
      'EVENTSTOREDB_URL needs DATABASE_URL too: read models, checkpoints and keys stay on a Postgres server',
    ]);
    const cluster = 'kurrentdb+discover://admin:changeit@node-1:2113,node-2:2113?tls=true';
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/observa', EVENTSTOREDB_URL: cluster }).eventStoreDbUrl,
    ).toBe(cluster);
  });

  it('takes an external issuer only with all three of its variables', () =>
    expect(problemsOf({ OBSERVA_OIDC_JWKS_URL: OIDC.OBSERVA_OIDC_JWKS_URL })).toEqual([
      'OBSERVA_OIDC_ISSUER, OBSERVA_OIDC_AUDIENCE must be set too: an external issuer needs OBSERVA_OIDC_JWKS_URL, OBSERVA_OIDC_ISSUER, OBSERVA_OIDC_AUDIENCE',
    ]));

  it('takes a JWKS over plain http only on this machine', () => {
    const local = { ...OIDC, OBSERVA_OIDC_JWKS_URL: 'http://127.0.0.1:8080/certs' };
    expect(loadConfig(local).oidc?.jwksUrl.port).toBe('8080');
    expect(problemsOf({ ...OIDC, OBSERVA_OIDC_JWKS_URL: 'http://login.example.org/certs' })).toEqual([
      'OBSERVA_OIDC_JWKS_URL="http://login.example.org/certs" is invalid: expected an https:// URL (http:// only on this machine)',
    ]);
  });

  it('names every bad variable at once, one line each', () => {
    const problems = problemsOf({
      PORT: '0',
      LOG_LEVEL: 'loud',
      KAFKA_BROKERS: 'nope',
      OBSERVA_DATA_DIR: './ok',
    });
    expect(problems).toHaveLength(3);
    expect(problems.map((line) => line.split('=')[0])).toEqual(['PORT', 'LOG_LEVEL', 'KAFKA_BROKERS']);
  });

  it('names the variables of every part of the platform in one refusal', () =>
    expect(
      problemsOf({
        PORT: '65536',
        OBSERVA_JWT_SECRET: 'short',
        OBSERVA_TOKEN_TTL_SECONDS: '15m',
        MISSIONS_GRPC_URL: 'missions',
      }).map((line) => line.split(/[= ]/)[0]),
    ).toEqual(['PORT', 'OBSERVA_JWT_SECRET', 'OBSERVA_TOKEN_TTL_SECONDS', 'MISSIONS_GRPC_URL']));

  it('never prints the password of a refused URL', () => {
    const [line] = problemsOf({ DATABASE_URL: 'mysql://observa:s3cret@db/observa' });
    expect(line).toBe(
      'DATABASE_URL="mysql://observa:***@db/observa" is invalid: expected a postgres:// or postgresql:// URL',
    );
  });
});

describe('the configuration in a Nest module', () => {
  it('is served by ConfigService and as AppConfig, without reading or writing the environment again', async () => {
    const config = loadConfig({ PORT: '8080', KAFKA_BROKERS: 'kafka-1:9092' });
    const before = { ...process.env };
    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config)],
    }).compile();
    const service = moduleRef.get<ConfigService<AppConfig, true>>(ConfigService);
    expect(service.get('port', { infer: true })).toBe(8080);
    expect(service.get('kafkaBrokers', { infer: true })).toEqual(['kafka-1:9092']);
    expect(moduleRef.get(AppConfig)).toBe(config);
    expect(process.env).toEqual(before);
    await moduleRef.close();
  });
});

describe('body sizes', () => {
  it.each([
    ['2048', 2048],
    ['512kb', 512 * 1024],
    ['1MB', 1024 * 1024],
    ['1.5 mb', 1.5 * 1024 * 1024],
    ['1gb', undefined],
    ['lots', undefined],
  ])('%s is %s bytes', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));
});

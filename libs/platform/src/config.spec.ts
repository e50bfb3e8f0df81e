import { describe, expect, it } from '@jest/globals';
import { ConfigInvalid, loadConfig, parseByteSize } from './config.js';

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
    });
  });

  it.each([
    ['loopback', 'loopback'],
    ['2', 2],
    ['::1/128', '::1/128'],
  ])('trusts the proxies OBSERVA_TRUST_PROXY=%s names', (value, trustProxy) =>
    expect(loadConfig({ OBSERVA_TRUST_PROXY: value }).trustProxy).toBe(trustProxy),
  );

  it('takes an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
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
  ])('refuses %s=%s, naming the variable, the value and what is expected', (name, value, expected) => {
    expect(problemsOf({ [name]: value })).toEqual([
      expect.stringContaining(`${name}=${JSON.stringify(value)} is invalid: expected ${expected}`),
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

  it('never prints the password of a refused URL', () => {
    const [line] = problemsOf({ DATABASE_URL: 'mysql://observa:s3cret@db/observa' });
    expect(line).toBe(
      'DATABASE_URL="mysql://observa:***@db/observa" is invalid: expected a postgres:// or postgresql:// URL',
    );
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

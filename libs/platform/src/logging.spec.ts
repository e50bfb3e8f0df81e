import { describe, expect, it } from '@jest/globals';
import { runWithCorrelationId } from './correlation.js';
import kafkajs from 'kafkajs';
import { createLogger, kafkaLogCreator, kafkaLogLevelFor, PinoLoggerService } from './logging.js';

const capture = (level: 'info' | 'trace' = 'trace') => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
};

describe('logs', () => {
  it('are JSON lines that carry the correlation id of the work in progress', () => {
    const { logger, lines } = capture();
    logger.info('outside');
    runWithCorrelationId('req-1', () => logger.info({ station: 'S-12' }, 'inside'));
    expect(lines[0]).toMatchObject({ level: 'info', name: 'observa', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('correlationId');
    expect(lines[1]).toMatchObject({ level: 'info', msg: 'inside', station: 'S-12', correlationId: 'req-1' });
    expect(typeof lines[1].time).toBe('string');
  });

  it('take Nest’s calls: context last, stack before it', () => {
    const { logger, lines } = capture();
    const nest = new PinoLoggerService(logger);
    const failure = new Error('store unreachable');
    runWithCorrelationId('req-2', () => {
      nest.log('started', 'Bootstrap');
      nest.error('append failed', failure.stack, 'EventStore');
      nest.warn({ lag: 12 }, 'Relay');
      nest.error(failure);
      nest.verbose('every detail');
    });
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'started',
      context: 'Bootstrap',
      correlationId: 'req-2',
    });
    expect(lines[1]).toMatchObject({
      level: 'error',
      msg: 'append failed',
      context: 'EventStore',
      stack: failure.stack,
    });
    expect(lines[2]).toMatchObject({ level: 'warn', lag: 12, context: 'Relay' });
    expect(lines[3]).toMatchObject({
      level: 'error',
      msg: 'store unreachable',
      err: { message: 'store unreachable' },
    });
    expect(lines[4]).toMatchObject({ level: 'trace', msg: 'every detail' });
  });

  it('keep Nest’s start-up chatter at debug', () => {
    const { logger, lines } = capture('info');
    const nest = new PinoLoggerService(logger);
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('Observa listening', 'Observa');
    expect(lines.map((line) => line.msg)).toEqual(['Observa listening']);
  });
});

describe('kafkajs logs', () => {
  it('come as our JSON lines, a refused connection that will be retried as a warning, not an error', async () => {
    const { logger, lines } = capture('info');
    const kafka = new kafkajs.Kafka({
      clientId: 'logging-spec',
      brokers: ['127.0.0.1:1'], // nothing listens there
      retry: { retries: 0 },
      logLevel: kafkaLogLevelFor(logger),
      logCreator: kafkaLogCreator(logger),
    });
    await expect(kafka.producer().connect()).rejects.toThrow();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((line) => line.level)).not.toContain('error');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        name: 'observa',
        context: expect.stringMatching(/^kafkajs:/),
        msg: expect.stringMatching(/connect/i),
      }),
    );
  });

  it('say as much as the process log level asks', () => {
    expect(kafkaLogLevelFor(capture('trace').logger)).toBe(kafkajs.logLevel.DEBUG);
    expect(kafkaLogLevelFor(capture('info').logger)).toBe(kafkajs.logLevel.INFO);
    expect(kafkaLogLevelFor(createLogger({ level: 'silent' }))).toBe(kafkajs.logLevel.NOTHING);
  });
});

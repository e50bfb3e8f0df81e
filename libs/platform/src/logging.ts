/** Structured JSON logs (pino), each line of a request carrying its correlation id; Nest logs through them too. */
import type { LoggerService } from '@nestjs/common';
import kafkajs, { type logCreator } from 'kafkajs';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevelName } from './config.js';
import { currentCorrelationId, type Middleware } from './correlation.js';

export type { Logger } from 'pino';

export type LoggerOptions = {
  readonly level: LogLevelName;
  /** Defaults to stdout. */
  readonly destination?: DestinationStream;
};

export const createLogger = ({ level, destination }: LoggerOptions): Logger =>
  pino(
    {
      name: 'observa',
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    destination,
  );

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's start-up chatter (one line per module and route): useful when debugging, noise otherwise. */
const START_UP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

const looksLikeStack = (text: string): boolean => /\n\s+at /.test(text);

/** Nest's LoggerService on pino: `log(message, ...params, context?)`, `error(message, stack?, context?)`. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const last = rest.at(-1);
    const context = typeof last === 'string' && !looksLikeStack(last) ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    const extra: unknown[] = [];
    for (const param of rest) {
      if (param instanceof Error) fields.err = param;
      else if (typeof param === 'string' && looksLikeStack(param)) fields.stack = param;
      else if (param !== undefined) extra.push(param);
    }
    if (extra.length > 0) fields.params = extra;
    const effective = level === 'info' && context && START_UP_CONTEXTS.has(context) ? 'debug' : level;
    if (message instanceof Error) this.pino[effective]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[effective]({ ...fields, ...message });
    else this.pino[effective](fields, String(message));
  }
}

const QUIET_PATHS = new Set(['/health', '/metrics']);

/** One line per answered request; probes and scrapes only at debug. */
export const requestLogMiddleware =
  (logger: Logger): Middleware =>
  (req, res, next) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '').split('?')[0];
    const correlationId = currentCorrelationId();
    res.once('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const level = QUIET_PATHS.has(path) ? 'debug' : res.statusCode >= 500 ? 'warn' : 'info';
      logger[level](
        {
          correlationId,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
        },
        'request answered',
      );
    });
    next();
  };

const { logLevel: KafkaLevel } = kafkajs;

/**
 * kafkajs writes through the process's pino logger, one JSON line like every other. kafkajs reports
 * each failed connection and each retry at ERROR, yet every one of them is retried (by kafkajs, or by
 * the relay and consumers, which log at warn what they do about it): they are warnings here, and the
 * protocol chatter below INFO is debug.
 */
export const kafkaLogCreator =
  (logger: Logger): logCreator =>
  () =>
  ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _kafkajs, ...fields } = log;
    const pinoLevel = level <= KafkaLevel.WARN ? 'warn' : level === KafkaLevel.INFO ? 'info' : 'debug';
    logger[pinoLevel]({ context: `kafkajs:${namespace}`, ...fields }, message);
  };

/** How much kafkajs should say for a pino level: its DEBUG (every request) only at trace. */
export const kafkaLogLevelFor = (logger: Logger): number =>
  logger.isLevelEnabled('trace')
    ? KafkaLevel.DEBUG
    : logger.isLevelEnabled('info')
      ? KafkaLevel.INFO
      : logger.isLevelEnabled('warn')
        ? KafkaLevel.WARN
        : KafkaLevel.NOTHING;

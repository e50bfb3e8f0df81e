/** The HTTP edge every app shares: correlation id, logs, body limit, problem+json errors, validation, OpenAPI. */
import type { DynamicModule, INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { AppConfig } from './config.js';
import { correlationMiddleware } from './correlation.js';
import { createLogger, PinoLoggerService, requestLogMiddleware } from './logging.js';
import { setupOpenApi, type OpenApiOptions } from './openapi.js';
import { ProblemFilter } from './problem.js';
import { refuseUnstorableBody, StorableTextPipe } from './storable-input.js';
import { createValidationPipe } from './validation.js';

export const API_PREFIX = 'api/v1';
/** Operations endpoints stay at the root, outside the versioned API. */
export const UNPREFIXED_PATHS: readonly string[] = ['health', 'metrics'];

/** A root module, or a compiled TestingModule (so that e2e tests run exactly this set-up). */
export type AppSource =
  | Type<unknown>
  | DynamicModule
  | { createNestApplication<T extends INestApplication>(options?: NestApplicationOptions): T };

export type HttpAppOptions = { readonly openApi?: OpenApiOptions; readonly logger?: PinoLoggerService };

/**
 * Helmet's headers (nosniff, frame-ancestors, referrer policy, HSTS, …) with a Content-Security-Policy
 * the API documentation page can live with: its scripts and styles come from this server. No
 * upgrade-insecure-requests: the embedded default serves plain HTTP on loopback.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'frame-ancestors': ["'none'"],
      'upgrade-insecure-requests': null,
    },
  },
});

export const createHttpApp = async (
  source: AppSource,
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestExpressApplication> => {
  const logger = options.logger ?? new PinoLoggerService(createLogger({ level: config.logLevel }));
  // Our own JSON parser is installed below, after the correlation id; init() must not add its default one.
  const appOptions: NestApplicationOptions = { logger, bodyParser: false, abortOnError: false };
  const app =
    'createNestApplication' in source
      ? source.createNestApplication<NestExpressApplication>(appOptions)
      : await NestFactory.create<NestExpressApplication>(source, appOptions);

  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders);
  if (config.corsOrigins.length > 0)
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-correlation-id'],
      exposedHeaders: ['x-correlation-id', 'retry-after', 'idempotent-replayed', 'www-authenticate'],
      maxAge: 600,
    });
  app.use(correlationMiddleware);
  app.use(requestLogMiddleware(logger.pino));
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.use(refuseUnstorableBody);

  app.setGlobalPrefix(API_PREFIX, { exclude: [...UNPREFIXED_PATHS] });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new StorableTextPipe(), createValidationPipe());
  setupOpenApi(app, options.openApi);
  return app;
};

/** `http://127.0.0.1:3000`: where a local client reaches a listening app. */
export const localUrl = (app: INestApplication): string => {
  const address = app.getHttpServer().address() as { port: number } | string | null;
  return typeof address === 'object' && address !== null
    ? `http://127.0.0.1:${address.port}`
    : String(address);
};

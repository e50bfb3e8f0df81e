/** The OpenAPI document of an app, browsable at /api/docs and as JSON at /api/docs-json. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { ApiExtension, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const DOCS_PATH = 'api/docs';

/** The version of the nearest package.json above this file: the same from src/ (tests) and dist/ (start). */
export const packageVersion = (from: string = fileURLToPath(import.meta.url)): string => {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    try {
      return (
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ??
        '0.0.0'
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) return '0.0.0';
    }
  }
};

export type OpenApiOptions = {
  readonly title?: string;
  readonly description?: string;
  readonly version?: string;
};

/** The name of the bearer scheme in `components.securitySchemes` (what @ApiBearerAuth() refers to). */
export const BEARER_SCHEME = 'bearer';

/**
 * An operation anyone may call (login, probes): `security: []` in the document, which overrides the
 * document's default of a bearer token.
 */
export const ApiPublic = (): MethodDecorator & ClassDecorator => ApiExtension(PUBLIC_EXTENSION, true);
const PUBLIC_EXTENSION = 'x-observa-public';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation says who may call it: the bearer of a token unless it is marked public. */
const declareSecurity = (document: OpenAPIObject): void => {
  for (const item of Object.values(document.paths))
    for (const method of METHODS) {
      const operation = item[method] as (Record<string, unknown> & { security?: unknown }) | undefined;
      if (!operation) continue;
      if (operation[PUBLIC_EXTENSION]) {
        delete operation[PUBLIC_EXTENSION];
        operation.security = [];
      } else operation.security ??= [{ [BEARER_SCHEME]: [] }];
    }
};

type Operation = {
  parameters?: { in?: string; name?: string }[];
  responses?: Record<string, { headers?: Record<string, unknown> }>;
};

/**
 * A write that takes an Idempotency-Key says, on each of its successes, the header that marks a replayed
 * answer (sent by IdempotentWrites in #auth, which this library cannot import).
 */
const declareReplays = (document: OpenAPIObject): void => {
  for (const item of Object.values(document.paths))
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      const keyed = operation?.parameters?.some(
        (parameter) => parameter.in === 'header' && parameter.name?.toLowerCase() === 'idempotency-key',
      );
      if (!operation || !keyed) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {}))
        if (/^2\d\d$/.test(status))
          response.headers = {
            ...response.headers,
            'Idempotent-Replayed': {
              description:
                'true when this is the first answer to the same request, replayed: nothing was written',
              schema: { type: 'string', enum: ['true'] },
            },
          };
    }
};

const documents = new WeakMap<INestApplication, OpenAPIObject>();

/** The document `setupOpenApi` built for this app (what /api/docs-json serves). */
export const openApiDocumentOf = (app: INestApplication): OpenAPIObject => {
  const document = documents.get(app);
  if (!document) throw new Error('this app has no OpenAPI document: it was not made by createHttpApp');
  return document;
};

export const setupOpenApi = (app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject => {
  const config = new DocumentBuilder()
    .setTitle(options.title ?? 'Observa')
    .setDescription(
      options.description ??
        'Event-sourced platform for election observation missions. Every error is application/problem+json ' +
          '(RFC 9457) with the shared Problem schema. Writes accept an Idempotency-Key header.',
    )
    .setVersion(options.version ?? packageVersion())
    // The package is UNLICENSED (package.json): the API and its software are proprietary, not open source.
    .setLicense('Proprietary (UNLICENSED): all rights reserved', '/api/docs')
    .addServer('/', 'the server that serves this document')
    .addServer('http://127.0.0.1:3000', '`npm start` on this machine')
    .addBearerAuth(undefined, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  delete document.info.contact; // DocumentBuilder leaves an empty one
  declareSecurity(document);
  declareReplays(document);
  SwaggerModule.setup(DOCS_PATH, app, document);
  documents.set(app, document);
  return document;
};

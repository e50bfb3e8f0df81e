/** The OpenAPI document of an app, browsable at /api/docs and as JSON at /api/docs-json. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

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

export const setupOpenApi = (app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject => {
  const config = new DocumentBuilder()
    .setTitle(options.title ?? 'Observa')
    .setDescription(
      options.description ??
        'Event-sourced platform for election observation missions. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion(options.version ?? packageVersion())
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document);
  return document;
};

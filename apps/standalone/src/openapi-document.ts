/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document the standalone app serves at /api/docs-json
 * (default dist/openapi.json), without listening and without a data folder: the app is built on an
 * in-memory store and closed again. `npm run lint:api` and `npm run api:types` start from this file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createHttpApp, loadConfig, openApiDocumentOf } from '#platform';
import { AppModule } from './app.module.js';

const target = process.argv[2] ?? 'dist/openapi.json';
// A generated administrator password would be printed: give one that is never used.
process.env.OBSERVA_ADMIN_PASSWORD ??= 'openapi-document-only-never-listening';
const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
const app = await createHttpApp(AppModule.forRoot(config, { feedProjections: false }), config);
try {
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${JSON.stringify(openApiDocumentOf(app), null, 2)}\n`);
  console.log(`OpenAPI document written to ${target}`);
} finally {
  await app.close();
}

/** `npm start`: the whole platform in one process, on the embedded event store unless DATABASE_URL says otherwise. */
import { Logger } from '@nestjs/common';
import { messageOf } from '#event-sourcing';
import {
  createHttpApp,
  loadConfigOrExit,
  localUrl,
  STORE_DESCRIPTION,
  type StoreDescription,
} from '#platform';
import { AppModule } from './app.module.js';

const config = loadConfigOrExit();
const logger = new Logger('Observa');
try {
  const app = await createHttpApp(AppModule.forRoot(config), config);
  // Exit 0 once SIGTERM/SIGINT have closed the HTTP server and then the database (in onApplicationShutdown).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.port, config.host);
  const store = app.get<StoreDescription>(STORE_DESCRIPTION);
  logger.log(
    `Observa listening on ${config.host}, ${localUrl(app)} (store: ${store.describe}, node ${process.version})`,
  );
} catch (error) {
  // A failure inside a module comes with its stack in the line Nest logged just before.
  logger.fatal(`Observa could not start: ${messageOf(error)}`);
  process.exit(1);
}

/**
 * The wiring of the command-line tools on projections (`npm run rebuild`, `npm run dead-letters`):
 * the standalone app with its projections registered but not fed, so that the command does not race
 * them. Run them while the platform is stopped (the embedded store is one process's).
 */
import { NestFactory } from '@nestjs/core';
import { messageOf } from '#event-sourcing';
import { loadConfigOrExit, ProjectionHost } from '#platform';
import { AppModule } from './app.module.js';

/** Runs `work` and exits with the code it answers (1 and the message when it throws). */
export const runProjectionCommand = async (
  command: string,
  work: (host: ProjectionHost) => Promise<number>,
): Promise<never> => {
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot(config, { feedProjections: false }),
    { logger: ['error', 'warn'] },
  );
  let exitCode = 0;
  try {
    exitCode = await work(app.get(ProjectionHost));
  } catch (error) {
    console.error(`${command} failed: ${messageOf(error)}`);
    exitCode = 1;
  } finally {
    await app.close();
  }
  process.exit(exitCode);
};

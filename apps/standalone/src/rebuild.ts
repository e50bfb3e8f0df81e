/**
 * `npm run rebuild -- <projection> [--resume]`: empties one read model and applies the whole history
 * again, printing progress; `--resume` carries on with a rebuild that was interrupted. Run it while
 * the platform is stopped (the embedded store is one process's). Without a name, lists the projections.
 */
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, ProjectionHost } from '#platform';
import { AppModule } from './app.module.js';

const [name, ...flags] = process.argv.slice(2);
const config = loadConfigOrExit();
const app = await NestFactory.createApplicationContext(
  AppModule.forRoot(config, { feedProjections: false }),
  {
    logger: ['error', 'warn'],
  },
);
const host = app.get(ProjectionHost);
let exitCode = 0;
try {
  if (!name || name.startsWith('-')) {
    console.log(`projections: ${host.names().join(', ')}\nusage: npm run rebuild -- <projection> [--resume]`);
    exitCode = name ? 2 : 0;
  } else {
    let shownAt = 0;
    const applied = await host.rebuild(name, {
      resume: flags.includes('--resume'),
      onProgress: ({ done, total }) => {
        if (Date.now() - shownAt < 1000 && done < total) return;
        shownAt = Date.now();
        console.log(
          `${name}: ${done} of ${total} events (${total === 0 ? 100 : Math.floor((done * 100) / total)}%)`,
        );
      },
    });
    console.log(`${name} rebuilt: ${applied} events applied`);
  }
} catch (error) {
  console.error(`rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await app.close();
}
process.exit(exitCode);

/**
 * `npm run dead-letters`: the events each projection could not apply and parked, with why.
 * `npm run dead-letters -- replay <projection>`: once the cause is fixed, applies them again; those
 * that apply leave the list, those that still fail stay with their new error (exit code 1).
 * Run it while the platform is stopped (the embedded store is one process's).
 */
import type { DeadLetter } from '#event-sourcing/projections';
import type { ProjectionHost } from '#platform';
import { runProjectionCommand } from './projection-command.js';

const USAGE = 'usage: npm run dead-letters [-- replay <projection>]';

const show = (letter: DeadLetter): string =>
  `  ${letter.parkedAt.toISOString()}  ` +
  (letter.streamId ? `${letter.type} of ${letter.streamId} at ${letter.globalPosition}` : 'not an event') +
  `  (event ${letter.eventId}, from ${letter.origin})\n    ${letter.error}`;

const OVERTAKEN =
  'later events of its stream were not parked: a projection that guards by stream version skips it on replay; ' +
  '`npm run rebuild -- <projection>` applies everything in order';

const list = async (host: ProjectionHost): Promise<number> => {
  const letters = await host.deadLetters();
  for (const name of host.names()) {
    const own = letters.filter((letter) => letter.projection === name);
    if (own.length === 0) {
      console.log(`${name}: nothing parked`);
      continue;
    }
    const overtaken = new Set((await host.overtaken(name)).map((letter) => letter.eventId));
    console.log(`${name}: ${own.length} parked`);
    for (const letter of own)
      console.log(show(letter) + (overtaken.has(letter.eventId) ? `\n    note: ${OVERTAKEN}` : ''));
  }
  return 0;
};

const replay = async (host: ProjectionHost, name: string): Promise<number> => {
  const overtaken = await host.overtaken(name);
  const { applied, stillParked } = await host.replay(name);
  console.log(`${name}: ${applied} applied, ${stillParked.length} still parked`);
  for (const letter of stillParked) console.log(show(letter));
  if (overtaken.length > 0)
    console.log(`${name}: ${overtaken.length} of the replayed events had been overtaken: ${OVERTAKEN}`);
  return stillParked.length === 0 ? 0 : 1;
};

const [command, name, ...rest] = process.argv.slice(2);

await runProjectionCommand('dead-letters', async (host) => {
  if (command === undefined) return list(host);
  if (command === 'replay' && name && rest.length === 0) return replay(host, name);
  console.error(`${USAGE}\nprojections: ${host.names().join(', ')}`);
  return 2;
});

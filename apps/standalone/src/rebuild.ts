/**
 * `npm run rebuild -- <projection> [--resume]`: empties one read model and applies the whole history
 * again, printing progress; `--resume` carries on with a rebuild that was interrupted. Run it while
 * the platform is stopped (the embedded store is one process's). Without a name, lists the projections.
 */
import { runProjectionCommand } from './projection-command.js';

const [name, ...flags] = process.argv.slice(2);

await runProjectionCommand('rebuild', async (host) => {
  if (!name || name.startsWith('-')) {
    console.log(`projections: ${host.names().join(', ')}\nusage: npm run rebuild -- <projection> [--resume]`);
    return name ? 2 : 0;
  }
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
  const parked = (await host.parked()).find((p) => p.projection === name);
  if (parked) console.log(`${name}: ${parked.count} events parked; \`npm run dead-letters\` lists them`);
  return 0;
});

/**
 * The distributed mode as an operator runs it: scripts/distributed.sh start, stop and relaunch on the
 * built dist/ (the gateway, missions and accreditation processes), on a database, a broker, ports and a
 * run folder of this suite's own, so the shared broker and the platform of `npm run start:distributed`
 * are never touched. kill() is the crash: SIGKILL to the pid the script recorded.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export const APPS = ['gateway', 'missions', 'accreditation'] as const;
export type App = (typeof APPS)[number];

export type PlatformOptions = {
  /** The repository (scripts/distributed.sh, dist/). */
  readonly root: string;
  /** Pid files, logs and observa.env of this platform. */
  readonly runDir: string;
  /** A database of its own on the Postgres server (distributed.sh creates it). */
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  readonly admin: { readonly email: string; readonly password: string };
};

/** A port nobody listens on now (the kernel's choice). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export class OperatedPlatform {
  private constructor(
    private readonly options: PlatformOptions,
    private readonly ports: Record<string, number>,
  ) {}

  static async on(options: PlatformOptions): Promise<OperatedPlatform> {
    const ports: Record<string, number> = {};
    for (const name of [
      'GATEWAY_PORT',
      'MISSIONS_GRPC_PORT',
      'ACCREDITATION_GRPC_PORT',
      'MISSIONS_OPS_PORT',
      'ACCREDITATION_OPS_PORT',
    ])
      ports[name] = await freePort();
    return new OperatedPlatform(options, ports);
  }

  get databaseUrl(): string {
    return this.options.databaseUrl;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.ports.GATEWAY_PORT}`;
  }

  opsUrl(app: 'missions' | 'accreditation'): string {
    return `http://127.0.0.1:${this.ports[`${app.toUpperCase()}_OPS_PORT`]}`;
  }

  /** Builds (as the script does), starts every process and waits until the gateway's /health is 200. */
  start = () => this.script('start');
  /** SIGTERM to each process, the gateway first (SIGKILL after 20 s). */
  stop = () => this.script('stop');
  /** What a supervisor does after a crash: the app again, from the platform's observa.env. */
  relaunch = (app: App) => this.script('relaunch', app);

  pidOf(app: App): number | undefined {
    const file = join(this.options.runDir, `${app}.pid`);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** kill -9: no shutdown hook runs, sockets and transactions are cut where they are. */
  async kill(app: App): Promise<void> {
    const pid = this.pidOf(app);
    if (pid === undefined) throw new Error(`${app} has no pid file in ${this.options.runDir}`);
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(pid)) {
      if (Date.now() > deadline) throw new Error(`${app} (pid ${pid}) still runs 10 s after SIGKILL`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  logOf(app: App): string {
    return join(this.options.runDir, `${app}.log`);
  }

  /** Drops the database with whatever is still connected. */
  async dropDatabase(): Promise<void> {
    const url = new URL(this.options.databaseUrl);
    const name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }

  private async script(...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OBSERVA_RUN_DIR: this.options.runDir,
      DATABASE_URL: this.options.databaseUrl,
      KAFKA_BROKERS: this.options.kafkaBrokers,
      OBSERVA_KEK_FILE: join(this.options.runDir, 'observa.kek'),
      OBSERVA_ADMIN_EMAIL: this.options.admin.email,
      OBSERVA_ADMIN_PASSWORD: this.options.admin.password,
      LOG_LEVEL: process.env.RELIABILITY_LOG_LEVEL ?? 'info',
      START_TIMEOUT: '180',
      ...Object.fromEntries(Object.entries(this.ports).map(([name, port]) => [name, String(port)])),
    };
    // The secret is the script's to generate and keep (observa.env), as on an operator's machine.
    delete env.OBSERVA_JWT_SECRET;
    delete env.PORT;
    try {
      const { stdout } = await promisify(execFile)(
        'bash',
        [join(this.options.root, 'scripts', 'distributed.sh'), ...args],
        { cwd: this.options.root, env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      );
      return stdout;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`distributed.sh ${args.join(' ')} failed: ${stderr?.slice(-4000) ?? String(error)}`);
    }
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of a shell that has not reaped it yet is a zombie: gone for our purposes.
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

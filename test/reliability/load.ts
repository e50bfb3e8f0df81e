/**
 * Clients of the gateway as a real one behaves: each logs in, then writes one thing after another,
 * every write with an Idempotency-Key of its own, retried with that same key until it is answered (a
 * refused connection, a reset, a 503 honouring Retry-After, a 504), a new login when a token is
 * refused. Most writes submit an observer application to the trial's mission (accreditation); every
 * tenth (the second of a run among them) opens a mission (missions). Every 2xx goes into the ledger.
 */
import { randomUUID } from 'node:crypto';
import { CONFLICT_OF_INTEREST_QUESTIONS } from '#accreditation';
import type { Ledger, WriteKind } from './ledger.js';

export type LoadOptions = {
  readonly baseUrl: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** The mission the applications go to. */
  readonly missionId: string;
  /** Names the trial's missions and applicants, so its rows are told from every other trial's. */
  readonly tag: string;
  readonly clients: number;
  readonly ledger: Ledger;
};

/** A write that is never answered within this is a platform that did not recover. */
const WRITE_PATIENCE_MS = 240_000;
/** One request: longer than the gateway's own 30 s for a context's answer. */
const REQUEST_TIMEOUT_MS = 40_000;
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 2000;

const noConflicts = Object.fromEntries(CONFLICT_OF_INTEREST_QUESTIONS.map((q) => [q, false]));

export const applicationBody = (tag: string, n: number) => ({
  delegation: 'DE',
  role: n % 3 === 0 ? 'STO' : 'LTO',
  person: {
    names: { latin: { given: `Applicant ${n}`, family: `Trial ${tag}` }, local: null },
    dateOfBirth: '1980-05-17',
    nationality: 'DE',
    otherCitizenships: [],
    identityDocument: { kind: 'passport', number: `R${tag}N${n}`.slice(0, 30), issuingCountry: 'DE' },
    contacts: [{ kind: 'email', value: `applicant-${n}@${tag}.example.org` }],
    languages: ['de', 'en'],
    declarations: { conflictsOfInterest: noConflicts, documentsProvided: ['passport', 'photo'] },
  },
});

export const missionBody = (name: string) => ({
  name,
  organisation: 'Reliability suite',
  hostCountry: 'KG',
  election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
});

/** The name of the trial's n-th mission opened under load: how its rows are found again. */
export const missionName = (tag: string, n: number) => `Reliability ${tag} mission ${n}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Answer = { status: number; body: unknown; retryAfterSeconds?: number; replayed: boolean };

/** One HTTP call; status 0 when no answer came. */
const call = async (url: string, body: unknown, headers: Record<string, string>): Promise<Answer> => {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      ...(retryAfter > 0 && { retryAfterSeconds: retryAfter }),
      replayed: response.headers.get('idempotent-replayed') === 'true',
    };
  } catch {
    return { status: 0, body: undefined, replayed: false };
  }
};

/** A 4xx the client cannot fix by trying again: the suite or the platform is wrong; named in the result. */
export class WriteRefused extends Error {}

class Client {
  private token = '';

  constructor(
    private readonly options: LoadOptions,
    private readonly next: () => number,
  ) {}

  async run(stopping: () => boolean): Promise<void> {
    await this.login();
    while (!stopping()) {
      const n = this.next();
      if (n % 10 === 1)
        await this.write('mission', '/api/v1/missions', missionBody(missionName(this.options.tag, n)));
      else
        await this.write(
          'application',
          `/api/v1/missions/${this.options.missionId}/applications`,
          applicationBody(this.options.tag, n),
        );
    }
  }

  private async login(): Promise<void> {
    const deadline = Date.now() + WRITE_PATIENCE_MS;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, LONGEST_RETRY_MS)) {
      const answer = await call(`${this.options.baseUrl}/api/v1/auth/token`, this.options.admin, {});
      if (answer.status === 200) {
        this.token = (answer.body as { accessToken: string }).accessToken;
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`no login within ${WRITE_PATIENCE_MS} ms (last ${answer.status})`);
      await sleep(answer.retryAfterSeconds ? answer.retryAfterSeconds * 1000 : delay);
    }
  }

  /** Until it is answered 2xx, with the same key every time. */
  private async write(kind: WriteKind, path: string, body: unknown): Promise<void> {
    const { ledger } = this.options;
    const key = randomUUID();
    const deadline = Date.now() + WRITE_PATIENCE_MS;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, LONGEST_RETRY_MS)) {
      ledger.requests++;
      const answer = await call(`${this.options.baseUrl}${path}`, body, {
        authorization: `Bearer ${this.token}`,
        'idempotency-key': key,
      });
      if (answer.status >= 200 && answer.status < 300) {
        const { id, eventIds } = answer.body as { id: string; eventIds: string[] };
        ledger.acknowledge({ kind, key, id, eventIds }, answer.replayed);
        return;
      }
      ledger.failed(answer.status);
      if (answer.status === 401) {
        ledger.tokensRefused++;
        await this.login();
        continue;
      }
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429)
        throw new WriteRefused(
          `${kind} write ${key} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `${kind} write ${key} not answered within ${WRITE_PATIENCE_MS} ms (last ${answer.status})`,
        );
      await sleep(
        answer.retryAfterSeconds ? Math.min(answer.retryAfterSeconds * 1000, LONGEST_RETRY_MS) : delay,
      );
    }
  }
}

export type RunningLoad = {
  /** Lets every client finish the write it is on (answered, whatever it takes) and stops them. */
  stop(): Promise<void>;
};

export const startLoad = (options: LoadOptions): RunningLoad => {
  let stopping = false;
  let n = 0;
  const clients = Array.from({ length: options.clients }, () =>
    new Client(options, () => n++).run(() => stopping),
  );
  // A client that fails keeps its error for stop(); the others go on meanwhile.
  const settled = Promise.allSettled(clients);
  return {
    async stop() {
      stopping = true;
      const failures = (await settled).filter((r) => r.status === 'rejected');
      if (failures.length > 0)
        throw new AggregateError(
          failures.map((f) => (f as PromiseRejectedResult).reason as Error),
          `${failures.length} of ${options.clients} clients failed: ${String((failures[0] as PromiseRejectedResult).reason)}`,
        );
    },
  };
};

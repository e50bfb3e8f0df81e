/**
 * The HTTP clients of the http suite, in a worker thread so that making requests and reading answers
 * does not run on the event loop of the app under test (same process, other thread: the 2 cores are
 * still shared). Each of `clients` loops POSTs back to back over keep-alive connections (node:http, one
 * Agent, one socket per client) with one bearer token obtained once by http.ts: no login per request.
 * Every body is the template with a document number of its own, so every submission is a new stream.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { timedLoop } from './stats.js';

export type LoadSetup = {
  readonly baseUrl: string;
  readonly token: string;
  /** The JSON body with DOCUMENT_PLACEHOLDER where the identity document number goes. */
  readonly bodyTemplate: string;
};

export type LoadRun = {
  readonly id: number;
  readonly path: string;
  readonly clients: number;
  readonly durationMs: number;
  /** Prefix of this run's document numbers (unique per run). */
  readonly tag: string;
  readonly expectStatus: number;
};

export type LoadResult = {
  readonly id: number;
  /** Requests answered with expectStatus. */
  readonly requests: number;
  readonly seconds: number;
  /** Milliseconds, one per request (answered as expected or not). */
  readonly latencies: number[];
  readonly failures: number;
  readonly firstFailure?: string;
  /** Request body bytes (of the last request). */
  readonly bodyBytes: number;
};

export const DOCUMENT_PLACEHOLDER = '__BENCH_DOCUMENT_NUMBER__';

type Answer = { readonly status: number; readonly text: string };

const start = ({ baseUrl, token, bodyTemplate }: LoadSetup): void => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const authorization = `Bearer ${token}`;
  const [before, after] = bodyTemplate.split(JSON.stringify(DOCUMENT_PLACEHOLDER));
  if (after === undefined) throw new Error('the body template has no document placeholder');

  const post = (path: string, body: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${baseUrl}${path}`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  parentPort!.on('message', async (run: LoadRun) => {
    let sequence = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    let bodyBytes = 0;
    const timed = await timedLoop(run.clients, run.durationMs, async () => {
      const body = `${before}${JSON.stringify(`${run.tag}-${sequence++}`)}${after}`;
      bodyBytes = Buffer.byteLength(body);
      try {
        const answer = await post(run.path, body);
        if (answer.status === run.expectStatus) return 1;
        failures += 1;
        firstFailure ??= `${answer.status} ${answer.text.slice(0, 500)}`;
      } catch (error) {
        failures += 1;
        firstFailure ??= String(error);
      }
      return 0;
    });
    const result: LoadResult = {
      id: run.id,
      requests: timed.units,
      seconds: timed.seconds,
      latencies: timed.latencies,
      failures,
      bodyBytes,
      ...(firstFailure === undefined ? {} : { firstFailure }),
    };
    parentPort!.postMessage(result);
  });
};

if (parentPort && (workerData as { httpLoad?: LoadSetup } | undefined)?.httpLoad)
  start((workerData as { httpLoad: LoadSetup }).httpLoad);

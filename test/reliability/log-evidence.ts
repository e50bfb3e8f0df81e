/**
 * What the processes' logs (pino JSON lines, appended across relaunches) say about a day: each context
 * logs one line per gRPC call with its correlation id, and the gateway logs a context's outage once
 * when it begins and once when it ends, never a stack for a 503.
 */
import { readFileSync } from 'node:fs';

export type LogEvidence = {
  /** `call answered` lines of the context processes, and those of them without a correlation id. */
  readonly calls: number;
  readonly callsWithoutCorrelationId: number;
  /** The gateway's lines saying a context is not reachable, and that it answers again. */
  readonly outagesLogged: number;
  readonly recoveriesLogged: number;
  /** Lines of the gateway with a stack trace (an `err` field) about a 503. */
  readonly stacksFor503: number;
};

const linesOf = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });

export const logEvidence = (gatewayLog: string, contextLogs: readonly string[]): LogEvidence => {
  const calls = contextLogs.flatMap(linesOf).filter((line) => line.msg === 'call answered');
  const gateway = linesOf(gatewayLog);
  const message = (line: Record<string, unknown>) => (typeof line.msg === 'string' ? line.msg : '');
  return {
    calls: calls.length,
    callsWithoutCorrelationId: calls.filter(
      (line) =>
        typeof line.correlationId !== 'string' ||
        typeof line.rpc !== 'string' ||
        typeof line.durationMs !== 'number',
    ).length,
    outagesLogged: gateway.filter((line) => / is not reachable \(/.test(message(line))).length,
    recoveriesLogged: gateway.filter((line) => / answers again \(unreachable for /.test(message(line)))
      .length,
    stacksFor503: gateway.filter((line) => line.err !== undefined && /503/.test(message(line))).length,
  };
};

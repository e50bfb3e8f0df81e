/** The bootstrap of the distributed apps (apps/gateway, apps/<context>): configuration, start, logs, shutdown. */
import { Logger } from '@nestjs/common';
import { messageOf } from '#event-sourcing';
import { ConfigInvalid, grpcUrlOf, loadConfigOrExit, localUrl } from '#platform';
import {
  CONTEXT_MISSING_EXIT_CODE,
  findContext,
  notWrittenYet,
  type ContextDefinition,
  type ContextSource,
} from './context-definition.js';
import { contextHost } from './context-host.js';
import { gatewayHost, type GatewayContext } from './gateway-host.js';
import { grpcUrlVariableOf } from './grpc-urls.js';

/** Exits 1 with one line per problem, as loadConfigOrExit does, or with the failure Nest has just logged. */
const exitOn = (logger: Logger, what: string, error: unknown): never => {
  if (error instanceof ConfigInvalid)
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
  else logger.fatal(`${what} could not start: ${messageOf(error)}`);
  process.exit(1);
};

/** A context's process: gRPC on GRPC_URL (default `source.defaultGrpcUrl`), /health and /metrics on PORT. */
export const runContextHost = async (source: ContextSource): Promise<void> => {
  const config = loadConfigOrExit();
  const logger = new Logger(`Observa:${source.name}`);
  let definition: ContextDefinition | undefined;
  try {
    definition = await findContext(source);
  } catch (error) {
    exitOn(logger, `the ${source.name} context`, error);
  }
  if (!definition) {
    process.stderr.write(`${notWrittenYet(source)}; nothing to host\n`);
    process.exit(CONTEXT_MISSING_EXIT_CODE);
  }
  try {
    const grpcUrl = grpcUrlOf(config, 'GRPC_URL', source.defaultGrpcUrl);
    const host = await contextHost(definition, { config, grpcUrl });
    host.app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    await host.start(config.port, config.host);
    logger.log(`${source.name} context: gRPC on ${grpcUrl}, /health and /metrics on ${host.operations.url}`);
  } catch (error) {
    exitOn(logger, `the ${source.name} context`, error);
  }
};

/** The gateway: every context whose module exists, reached at <CONTEXT>_GRPC_URL; HTTP on PORT. */
export const runGateway = async (sources: readonly ContextSource[]): Promise<void> => {
  const config = loadConfigOrExit();
  const logger = new Logger('Observa:gateway');
  try {
    const contexts: GatewayContext[] = [];
    for (const source of sources) {
      const definition = await findContext(source);
      if (definition)
        contexts.push({
          definition,
          url: grpcUrlOf(config, grpcUrlVariableOf(source.name), source.defaultGrpcUrl),
        });
      else logger.warn(`${notWrittenYet(source)}; its routes are not served`);
    }
    const app = await gatewayHost({ config, contexts });
    app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
    await app.listen(config.port, config.host);
    const reached =
      contexts.map(({ definition, url }) => `${definition.name} at ${url}`).join(', ') || 'no context';
    logger.log(`gateway listening on ${config.host}, ${localUrl(app)}, forwarding to ${reached}`);
  } catch (error) {
    exitOn(logger, 'the gateway', error);
  }
};

/** gRPC addresses from the environment, checked like the rest of the configuration (libs/platform config.ts). */
import { ConfigInvalid } from '#platform';

const ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/** `host:port` from `variable`, or `fallback` when unset or empty. */
export const grpcUrlFrom = (
  variable: string,
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
): string => {
  const value = env[variable] || fallback;
  const port = Number(ADDRESS.exec(value)?.[1]);
  if (!(port >= 1 && port <= 65535))
    throw new ConfigInvalid([
      `${variable}=${JSON.stringify(value)} is invalid: expected host:port, e.g. 127.0.0.1:50051`,
    ]);
  return value;
};

/** The gateway's variable for a context's address: `missions` → MISSIONS_GRPC_URL. */
export const grpcUrlVariableOf = (context: string): string =>
  `${context.toUpperCase().replace(/-/g, '_')}_GRPC_URL`;

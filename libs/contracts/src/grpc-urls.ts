/** The gateway's variable for a context's address (checked with the rest of the configuration, libs/platform config.ts). */

/** `missions` → MISSIONS_GRPC_URL. */
export const grpcUrlVariableOf = (context: string): string =>
  `${context.toUpperCase().replace(/-/g, '_')}_GRPC_URL`;

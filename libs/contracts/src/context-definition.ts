/**
 * What the hosts need of a context, so that its one Nest module runs unchanged standalone, in its own
 * process behind the gateway (handlers, projections), and at the edge (its controllers only).
 */
import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import type { CategoryRoutes } from '#messaging';

/**
 * A context's typed gRPC service (proto/observa/<context>/v1): the token its routes inject its interface
 * by, the service's name in proto (the generated X_SERVICE_NAME), and the class that serves it in the
 * context's process (the generated controller decorators over its use cases).
 */
export type TypedService = {
  readonly token: symbol | string;
  readonly name: string;
  readonly controller: Type<unknown>;
};

export type ModuleLike = Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference;

export type ContextDefinition = {
  /** `missions`: names its Kafka topic, relay and consumer groups. */
  readonly name: string;
  /** Its module: use cases, projections, read models, and HTTP controllers that call its typed service. */
  readonly module: Type<unknown> | DynamicModule;
  /** Its typed service: the gateway binds `token` to the gRPC client. A context without (its events only) serves no rpc. */
  readonly service?: TypedService;
  /** The stream categories it owns: what its relay publishes to observa.<name>.events.v1. */
  readonly categories: readonly string[];
  /** Categories of other contexts that its projections read, with the context owning each. */
  readonly reads?: CategoryRoutes;
};

/** Exit code of a host whose context is not written yet (EX_CONFIG): scripts/distributed.sh tells it apart. */
export const CONTEXT_MISSING_EXIT_CODE = 78;

/** Where the apps find a context: its library and the names it exports (see platform-contexts.ts). */
export type ContextSource = {
  readonly name: string;
  /** `#missions`, for messages. */
  readonly library: string;
  readonly load: () => Promise<object>;
  /** Export name of its Nest module, e.g. `MissionsModule`. */
  readonly module: string;
  /** Export name of its TypedService, e.g. `missionsService`. */
  readonly service?: string;
  readonly categories: readonly string[];
  readonly reads?: CategoryRoutes;
  /** host:port of its gRPC server when no variable says otherwise. */
  readonly defaultGrpcUrl: string;
};

/** The context as its library exports it, or undefined while its module is not written yet. */
export const findContext = async (source: ContextSource): Promise<ContextDefinition | undefined> => {
  const exported = (await source.load()) as Record<string, unknown>;
  const module = exported[source.module] as ContextDefinition['module'] | undefined;
  if (module === undefined) return undefined;
  const service = source.service === undefined ? undefined : (exported[source.service] as TypedService);
  if (source.service !== undefined && !service)
    throw new Error(`${source.library} does not export ${source.service}`);
  return {
    name: source.name,
    module,
    ...(service && { service }),
    categories: source.categories,
    ...(source.reads && { reads: source.reads }),
  };
};

export const notWrittenYet = (source: ContextSource): string =>
  `the ${source.name} context is not written yet: ${source.library} does not export ${source.module}`;

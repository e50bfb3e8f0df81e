/**
 * What the hosts need of a context, so that its one Nest module runs unchanged standalone, in its own
 * process behind the gateway (handlers, projections), and at the edge (its controllers only).
 */
import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { Command, Query } from '@nestjs/cqrs';
import type { CategoryRoutes } from '#messaging';
import type { ContractClass, ContractList } from './contract-registry.js';
import type { ErrorClass } from './remote-errors.js';

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
  /** `missions`: names its Kafka topic, relay, consumer groups and registered contracts. */
  readonly name: string;
  /** Its module: handlers, projections, read models, and HTTP controllers that talk only to the buses. */
  readonly module: Type<unknown> | DynamicModule;
  /** Its typed service: then the gateway binds `token` to the gRPC client and no tunnel is needed. */
  readonly service?: TypedService;
  /** Its command and query classes for the generic tunnel (Execute/Ask), registered by the hosts. */
  readonly contracts?: ContractList;
  /** The stream categories it owns: what its relay publishes to observa.<name>.events.v1. */
  readonly categories: readonly string[];
  /** Categories of other contexts that its projections read, with the context owning each. */
  readonly reads?: CategoryRoutes;
  /**
   * Its own named errors (what its handlers throw and its controllers map to HTTP), registered by the
   * hosts with registerRemoteErrors so that they reach the edge as the same class, not as a 500.
   */
  readonly errors?: readonly ErrorClass[];
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
  /** Export name of its TypedService, e.g. `missionsService`, once it has one. */
  readonly service?: string;
  readonly categories: readonly string[];
  readonly reads?: CategoryRoutes;
  /** host:port of its gRPC server when no variable says otherwise. */
  readonly defaultGrpcUrl: string;
  /**
   * Its named errors that the library does not export (exported Error subclasses are found alone), as
   * registerRemoteErrors would take them.
   */
  readonly errors?: () => Promise<readonly ErrorClass[]>;
};

const isNamespace = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';

/** Exported classes, also inside exported namespaces (`export * as x`). */
const classesIn = (exported: Record<string, unknown>): ContractClass[] => {
  const values = Object.values(exported).flatMap((value) =>
    isNamespace(value) ? Object.values(value) : [value],
  );
  return [...new Set(values.filter((value): value is ContractClass => typeof value === 'function'))];
};

/** Exported classes extending @nestjs/cqrs Command or Query. */
const contractsIn = (
  exported: Record<string, unknown>,
): { commands: ContractClass[]; queries: ContractClass[] } => {
  const classes = classesIn(exported);
  return {
    commands: classes.filter((type) => type.prototype instanceof Command),
    queries: classes.filter((type) => type.prototype instanceof Query),
  };
};

/** Exported Error subclasses: the library's named errors. */
const errorsIn = (exported: Record<string, unknown>): ErrorClass[] =>
  classesIn(exported).filter((type) => type.prototype instanceof Error) as unknown as ErrorClass[];

/**
 * The context as its library exports it, or undefined while its module is not written yet. Its
 * contracts are the Command and Query classes the library exports; a context whose classes extend
 * neither registers them itself (contractRegistry.register). Its named errors are the Error subclasses
 * it exports, plus `source.errors`.
 */
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
    contracts: contractsIn(exported),
    categories: source.categories,
    ...(source.reads && { reads: source.reads }),
    errors: [...new Set([...errorsIn(exported), ...((await source.errors?.()) ?? [])])],
  };
};

export const notWrittenYet = (source: ContextSource): string =>
  `the ${source.name} context is not written yet: ${source.library} does not export ${source.module}`;

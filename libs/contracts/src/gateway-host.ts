/**
 * The HTTP edge of the distributed mode (DESIGN.md §3-4): each context's own controllers, taken from its
 * module without the rest of it, with every command and query they send forwarded to the context's
 * process. No event store here: controllers may need nothing but CommandBus, QueryBus and what
 * `imports` brings (the auth guard).
 */
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  AppConfigModule,
  createHttpApp,
  MetricsModule,
  type AppConfig,
  type HttpAppOptions,
} from '#platform';
import type { ContextDefinition, ModuleLike } from './context-definition.js';
import { contractRegistry, type ContractRegistry } from './contract-registry.js';
import type { ContextEndpoint } from './grpc-endpoint.js';
import { RemoteContextsModule } from './remote-contexts.module.js';

export type GatewayContext = {
  readonly definition: ContextDefinition;
  /** host:port of the context's gRPC server. */
  readonly url: string;
  readonly endpoint?: ContextEndpoint;
  readonly timeoutMs?: number;
};

export type GatewayHostOptions = {
  readonly config: AppConfig;
  readonly contexts: readonly GatewayContext[];
  /** What else the edge needs, e.g. the module that puts the principal on each request. */
  readonly imports?: readonly ModuleLike[];
  readonly registry?: ContractRegistry;
  readonly http?: HttpAppOptions;
};

/** The controllers declared on a module (`@Module({ controllers })`, plus a dynamic module's own). */
export const controllersOf = (module: Type<unknown> | DynamicModule): Type<unknown>[] => {
  const type = typeof module === 'function' ? module : module.module;
  const declared = (Reflect.getMetadata('controllers', type) ?? []) as Type<unknown>[];
  return [...declared, ...(typeof module === 'function' ? [] : (module.controllers ?? []))];
};

/** A module of one context's controllers alone. */
const edgeOf = (definition: ContextDefinition): DynamicModule => {
  class ContextEdge {}
  Object.defineProperty(ContextEdge, 'name', { value: `${definition.name}-edge` });
  Module({})(ContextEdge);
  return { module: ContextEdge, controllers: controllersOf(definition.module) };
};

@Module({})
export class GatewayHostModule {
  static forRoot(options: GatewayHostOptions): DynamicModule {
    const registry = options.registry ?? contractRegistry;
    for (const { definition } of options.contexts)
      if (definition.contracts) registry.register(definition.name, definition.contracts);
    return {
      module: GatewayHostModule,
      imports: [
        AppConfigModule.forRoot(options.config),
        MetricsModule,
        RemoteContextsModule.forRoot(
          options.contexts.map(({ definition, url, endpoint, timeoutMs }) => ({
            context: definition.name,
            url,
            ...(endpoint && { endpoint }),
            ...(timeoutMs !== undefined && { timeoutMs }),
          })),
          registry,
        ),
        ...(options.imports ?? []),
        ...options.contexts.map(({ definition }) => edgeOf(definition)),
      ],
    };
  }
}

/** The app, not yet listening. */
export const gatewayHost = (options: GatewayHostOptions): Promise<NestExpressApplication> =>
  createHttpApp(GatewayHostModule.forRoot(options), options.config, options.http);

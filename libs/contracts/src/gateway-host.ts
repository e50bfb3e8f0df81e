/**
 * The HTTP edge of the distributed mode (DESIGN.md §3-4): each context's own controllers, taken from its
 * module without the rest of it, with every command and query they send forwarded to the context's
 * process. The edge also hosts identity (login, users, the administrator on first start, the global
 * guard), as the standalone app does: its events go to the event store at DATABASE_URL and never to
 * Kafka (no relay runs here), and its projections (users, login failures, mission roles from the
 * `mission` streams the missions context appends to the same store) are fed in-process from that
 * store. So the guard authenticates and authorizes exactly as standalone, and forwarded commands and
 * queries carry the write context and principal over gRPC.
 */
import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { IdentityModule, type IdentityModuleOptions } from '#auth';
import {
  AppConfigModule,
  ConfigInvalid,
  createHttpApp,
  EventStoreModule,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
  type AppConfig,
  type HttpAppOptions,
} from '#platform';
import type { ContextDefinition, ModuleLike } from './context-definition.js';
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
  /**
   * Identity at the edge (default `{}`: IdentityModule.forRoot(config)): needs
   * config.databaseUrl. `false` leaves authentication to `imports` and opens no database (tests of
   * the transport alone).
   */
  readonly identity?: IdentityModuleOptions | false;
  /** What else the edge needs. */
  readonly imports?: readonly ModuleLike[];
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

/** The identity context of the edge: its own store connection, read models and in-process projections. */
const identityAtTheEdge = (config: AppConfig, options: IdentityModuleOptions): ModuleLike[] => {
  if (!config.databaseUrl)
    throw new ConfigInvalid([
      'DATABASE_URL is required: the gateway keeps identity (users, logins) in the event store on a Postgres server',
    ]);
  return [
    EventStoreModule.forRoot(config),
    ReadModelsModule,
    ProjectionsModule.inProcess(),
    // Identity's own use cases run on the CommandBus (libs/auth).
    CqrsModule.forRoot(),
    IdentityModule.forRoot(config, options),
  ];
};

@Module({})
export class GatewayHostModule {
  /** @throws ConfigInvalid when identity is hosted without config.databaseUrl */
  static forRoot(options: GatewayHostOptions): DynamicModule {
    const identity = options.identity ?? {};
    const edgeIdentity = identity === false ? [] : identityAtTheEdge(options.config, identity);
    return {
      module: GatewayHostModule,
      imports: [
        AppConfigModule.forRoot(options.config),
        MetricsModule,
        RemoteContextsModule.forRoot(
          options.contexts.map(({ definition, url, endpoint, timeoutMs }) => ({
            context: definition.name,
            url,
            ...(definition.service && { service: definition.service }),
            ...(endpoint && { endpoint }),
            ...(timeoutMs !== undefined && { timeoutMs }),
          })),
        ),
        ...edgeIdentity,
        ...(options.imports ?? []),
        ...options.contexts.map(({ definition }) => edgeOf(definition)),
      ],
    };
  }
}

/** The app, not yet listening. */
export const gatewayHost = (options: GatewayHostOptions): Promise<NestExpressApplication> =>
  createHttpApp(GatewayHostModule.forRoot(options), options.config, options.http);

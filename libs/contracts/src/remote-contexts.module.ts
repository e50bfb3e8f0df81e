/**
 * The gateway's clients of contexts in other processes. A context with a typed service gets its
 * interface bound to the gRPC client under its token (its routes inject it as they do standalone). A
 * context still on the generic tunnel gets the gateway's CommandBus and QueryBus extended: for every
 * class it registered, a handler that forwards it over gRPC.
 */
import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CommandHandler, CqrsModule, QueryHandler } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import type { TypedService } from './context-definition.js';
import { contractRegistry, type Contract, type ContractRegistry } from './contract-registry.js';
import { REMOTE_CONTEXTS, RemoteContext, type RemoteContextOptions } from './remote-context.js';
import { RemoteHealthController } from './remote-health.controller.js';

const remoteToken = (context: string): string => `RemoteContext:${context}`;

/** A handler class for one contract, found by @nestjs/cqrs like any other handler. */
const forwarder = (contract: Contract): Provider => {
  class Forwarder {
    constructor(private readonly remote: RemoteContext) {}
    execute(message: object): Promise<unknown> {
      return contract.kind === 'command' ? this.remote.execute(message) : this.remote.ask(message);
    }
  }
  Object.defineProperty(Forwarder, 'name', { value: `Remote${contract.name}Handler` });
  (contract.kind === 'command' ? CommandHandler : QueryHandler)(contract.type)(Forwarder);
  return {
    provide: Forwarder,
    inject: [remoteToken(contract.context)],
    useFactory: (remote: RemoteContext) => new Forwarder(remote),
  };
};

@Module({})
export class RemoteContextsModule implements OnApplicationShutdown {
  constructor(@Inject(REMOTE_CONTEXTS) private readonly remotes: readonly RemoteContext[]) {}

  static forRoot(
    remotes: readonly (RemoteContextOptions & { readonly service?: TypedService })[],
    registry: ContractRegistry = contractRegistry,
  ): DynamicModule {
    const clients: Provider[] = remotes.map((options) => ({
      provide: remoteToken(options.context),
      useFactory: () => new RemoteContext(options, registry),
    }));
    const services: Provider[] = remotes.flatMap(({ context, service }) =>
      service
        ? [
            {
              provide: service.token,
              inject: [remoteToken(context)],
              useFactory: (remote: RemoteContext) => remote.service(service.name),
            },
          ]
        : [],
    );
    const forwarders = remotes.flatMap((options) => {
      const contracts = registry.contractsOf(options.context);
      if (contracts.length === 0 && !options.service)
        throw new Error(
          `the ${options.context} context has no typed service and registered no commands or queries (contractRegistry.register)`,
        );
      return contracts.map(forwarder);
    });
    return {
      module: RemoteContextsModule,
      // The contexts' routes, in modules of their own (gateway-host.ts), inject the typed services.
      global: true,
      imports: [CqrsModule.forRoot(), TerminusModule.forRoot({ logger: false })],
      controllers: [RemoteHealthController],
      exports: [
        REMOTE_CONTEXTS,
        ...services.map((provider) => (provider as { provide: symbol | string }).provide),
      ],
      providers: [
        ...clients,
        ...services,
        ...forwarders,
        {
          provide: REMOTE_CONTEXTS,
          inject: remotes.map((options) => remoteToken(options.context)),
          useFactory: (...all: RemoteContext[]) => all,
        },
      ],
    };
  }

  onApplicationShutdown(): void {
    for (const remote of this.remotes) remote.close();
  }
}

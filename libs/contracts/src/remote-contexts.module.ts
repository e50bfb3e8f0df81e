/**
 * The gateway's CommandBus and QueryBus, extended to contexts in other processes: for every class a
 * remote context registered, a handler that forwards it over gRPC. Controllers call
 * `commandBus.execute(new X(payload, write))` exactly as they do standalone.
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
    remotes: readonly RemoteContextOptions[],
    registry: ContractRegistry = contractRegistry,
  ): DynamicModule {
    const clients: Provider[] = remotes.map((options) => ({
      provide: remoteToken(options.context),
      useFactory: () => new RemoteContext(options, registry),
    }));
    const forwarders = remotes.flatMap((options) => {
      const contracts = registry.contractsOf(options.context);
      if (contracts.length === 0)
        throw new Error(
          `the ${options.context} context registered no commands or queries (contractRegistry.register)`,
        );
      return contracts.map(forwarder);
    });
    return {
      module: RemoteContextsModule,
      imports: [CqrsModule.forRoot(), TerminusModule.forRoot({ logger: false })],
      controllers: [RemoteHealthController],
      providers: [
        ...clients,
        ...forwarders,
        {
          provide: REMOTE_CONTEXTS,
          inject: remotes.map((options) => remoteToken(options.context)),
          useFactory: (...all: RemoteContext[]) => all,
        },
      ],
      exports: [REMOTE_CONTEXTS],
    };
  }

  onApplicationShutdown(): void {
    for (const remote of this.remotes) remote.close();
  }
}

/**
 * The gateway's clients of contexts in other processes: each context's typed interface bound to the
 * gRPC client under its token (its routes inject it as they do standalone).
 */
import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { TypedService } from './context-definition.js';
import { REMOTE_CONTEXTS, RemoteContext, type RemoteContextOptions } from './remote-context.js';
import { RemoteHealthController } from './remote-health.controller.js';

const remoteToken = (context: string): string => `RemoteContext:${context}`;

@Module({})
export class RemoteContextsModule implements OnApplicationShutdown {
  constructor(@Inject(REMOTE_CONTEXTS) private readonly remotes: readonly RemoteContext[]) {}

  static forRoot(
    remotes: readonly (RemoteContextOptions & { readonly service?: TypedService })[],
  ): DynamicModule {
    const clients: Provider[] = remotes.map((options) => ({
      provide: remoteToken(options.context),
      useFactory: () => new RemoteContext(options),
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
    return {
      module: RemoteContextsModule,
      // The contexts' routes, in modules of their own (gateway-host.ts), inject the typed services.
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [RemoteHealthController],
      exports: [
        REMOTE_CONTEXTS,
        ...services.map((provider) => (provider as { provide: symbol | string }).provide),
      ],
      providers: [
        ...clients,
        ...services,
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

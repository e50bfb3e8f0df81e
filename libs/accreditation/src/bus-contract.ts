/**
 * TRANSPORT ADAPTER, to be replaced by the interface generated from proto/: the base of the command
 * classes that the HTTP routes send on the CommandBus and that the distributed mode carries over the
 * generic gRPC tunnel of libs/contracts (which finds them among this library's exports). Each use case
 * folder has one such class and one handler that reads the clock and calls the use case, nothing more.
 */
import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '#event-sourcing';
import type { WriteResult } from './write-result.js';

export abstract class AccreditationCommand<Payload, Result = WriteResult> extends Command<Result> {
  constructor(
    readonly payload: Payload,
    readonly context: CommandContext,
  ) {
    super();
  }
}

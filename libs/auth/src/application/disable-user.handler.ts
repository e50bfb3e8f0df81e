/** Disabling an account: nobody may disable their own (the last administrator would lock the platform out). */
import { Inject } from '@nestjs/common';
import { CommandHandler as HandlesCommand, type ICommandHandler } from '@nestjs/cqrs';
import { CommandHandler, DomainRuleBroken, EVENT_STORE, NotFound, type EventStore } from '#event-sourcing';
import { userDecider } from '../domain/user.decide.js';
import { userStreamId } from '../domain/user.js';
import { WriteReply } from '../write-context.js';
import { DisableUser } from './commands.js';

@HandlesCommand(DisableUser)
export class DisableUserHandler implements ICommandHandler<DisableUser, WriteReply> {
  private readonly commands: CommandHandler;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.commands = new CommandHandler(store);
  }

  async execute({ payload, context }: DisableUser): Promise<WriteReply> {
    const { userId, reason } = payload;
    const by = context.actor?.userId ?? 'unknown';
    if (userId === by) throw new DomainRuleBroken('you cannot disable your own account');
    const streamId = userStreamId(userId);
    const { state } = await this.commands.load(userDecider, streamId);
    if (state.status === 'unregistered') throw new NotFound(`there is no user ${userId}`);
    const result = await this.commands.handle(
      userDecider,
      streamId,
      { type: 'DisableUser', by, ...(reason !== undefined && { reason }) },
      context,
    );
    return WriteReply.of(userId, result);
  }
}

/** Registering an account: one email, one account; the password is kept only as a scrypt hash. */
import { Inject } from '@nestjs/common';
import { CommandHandler as HandlesCommand, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CommandHandler, DomainRuleBroken, EVENT_STORE, type EventStore } from '#event-sourcing';
import { userDecider } from '../domain/user.decide.js';
import { normalizeEmail, userStreamId } from '../domain/user.js';
import { hashPassword, verifyPassword } from '../password.js';
import { WriteReply } from '../write-context.js';
import { RegisterUser } from './commands.js';
import { UserAccount } from './users.read-model.js';

@HandlesCommand(RegisterUser)
export class RegisterUserHandler implements ICommandHandler<RegisterUser, WriteReply> {
  private readonly commands: CommandHandler;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @InjectRepository(UserAccount) private readonly users: Repository<UserAccount>,
  ) {
    this.commands = new CommandHandler(store);
  }

  async execute({ payload, context }: RegisterUser): Promise<WriteReply> {
    const { userId, password } = payload;
    const email = normalizeEmail(payload.email);
    // The read model may lag a registration by a moment: two requests racing for one email can both pass.
    const holder = await this.users.findOneBy({ email });
    if (holder && holder.userId !== userId) throw new DomainRuleBroken('an account with this email exists');
    const streamId = userStreamId(userId);
    const result = await this.commands.handle(
      userDecider,
      streamId,
      {
        type: 'RegisterUser',
        userId,
        email,
        passwordHash: await this.hashFor(streamId, password, context.commandId),
      },
      context,
    );
    return WriteReply.of(userId, result);
  }

  /**
   * A retry of this very registration (same command id, same password) must present the same command, or
   * the command handler would take it for a different request: so it reuses the hash it stored. A fresh
   * salt for anything else.
   */
  private async hashFor(streamId: string, password: string, commandId?: string): Promise<string> {
    const { events } = await this.commands.load(userDecider, streamId);
    const earlier = events.find((e) => e.type === 'UserRegistered' && e.metadata.commandId === commandId);
    const stored = earlier?.data.passwordHash;
    if (typeof stored === 'string' && (await verifyPassword(password, stored))) return stored;
    return hashPassword(password);
  }
}

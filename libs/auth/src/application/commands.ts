/**
 * The identity context's commands as the gateway sends them: plain data, JSON as it stands.
 * Only command classes here (and types): a bridge registers every export of this module.
 */
import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '#event-sourcing';
import type { WriteReply } from '../write-context.js';

export type AccessTokenReply = {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
};

/**
 * A login. The password travels in it only to the identity context's handler (in-process, or over the
 * platform's own network), which checks it and records the attempt; it is never stored or logged.
 */
export class IssueToken extends Command<AccessTokenReply> {
  constructor(
    readonly payload: { readonly email: string; readonly password: string; readonly address: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class RegisterUser extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly userId: string; readonly email: string; readonly password: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Disabling an account (platform administrator): its logins fail and its tokens stop working at once. */
export class DisableUser extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly userId: string; readonly reason?: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

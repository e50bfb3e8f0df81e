import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { GetCurrentUser, type CurrentUser } from './queries.js';
import { UserAccount } from './users.read-model.js';

@QueryHandler(GetCurrentUser)
export class GetCurrentUserHandler implements IQueryHandler<GetCurrentUser, CurrentUser> {
  constructor(@InjectRepository(UserAccount) private readonly users: Repository<UserAccount>) {}

  async execute({ principal }: GetCurrentUser): Promise<CurrentUser> {
    const account = await this.users.findOneBy({ userId: principal.userId });
    return {
      userId: principal.userId,
      email: account?.email ?? principal.email,
      ...(principal.platformRole && { platformRole: principal.platformRole }),
      status: account?.status ?? 'external',
      missions: Object.entries(principal.missionRoles)
        .map(([missionId, roles]) => ({ missionId, roles: [...roles] }))
        .sort((a, b) => a.missionId.localeCompare(b.missionId)),
    };
  }
}

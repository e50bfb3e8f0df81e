/** POST /api/v1/users and /users/{userId}/disable (platform administrator), GET /api/v1/users/me. */
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CurrentPrincipal, PlatformAdmin } from '../auth.decorators.js';
import type { Principal } from '../domain/roles.js';
import { ApiIdempotencyKey, Write, WriteReply, type WriteContext } from '../write-context.js';
import { DisableUser, RegisterUser } from './commands.js';
import { MIN_PASSWORD_LENGTH } from './password-policy.js';
import { commandContextOf, snapshotOf } from './plain-request.js';
import { GetCurrentUser, type CurrentUser } from './queries.js';

export class RegisterUserRequest {
  @ApiProperty({ example: 'aizada@mission.example' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  readonly email!: string;

  @ApiProperty({ format: 'password', minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(1024)
  readonly password!: string;
}

export class DisableUserRequest {
  @ApiProperty({ required: false, example: 'left the mission', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  readonly reason?: string;
}

class MissionRolesView {
  @ApiProperty() readonly missionId!: string;
  @ApiProperty({ type: [String] }) readonly roles!: string[];
}

export class CurrentUserView {
  @ApiProperty() readonly userId!: string;
  @ApiProperty() readonly email!: string;
  @ApiProperty({ required: false, enum: ['admin'] }) readonly platformRole?: 'admin';
  @ApiProperty({ enum: ['active', 'disabled', 'external'] }) readonly status!: string;
  @ApiProperty({ type: [MissionRolesView] }) readonly missions!: MissionRolesView[];
}

@ApiTags('identity')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @PlatformAdmin()
  @ApiOperation({ summary: 'Register a user account (platform administrator)' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 409, 413, 422)
  @ApiIdempotencyKey()
  register(@Body() body: RegisterUserRequest, @Write() write: WriteContext): Promise<WriteReply> {
    return this.commands.execute(
      new RegisterUser(
        { userId: write.newId('user'), email: body.email, password: body.password },
        commandContextOf(write),
      ),
    );
  }

  @Post(':userId/disable')
  @PlatformAdmin()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Disable a user account: its logins and live tokens are refused (platform administrator)',
  })
  @ApiOkResponse({ type: WriteReply, description: 'disabled (or already disabled: appended is false)' })
  @ApiProblems(403, 404, 409, 413, 422)
  @ApiIdempotencyKey()
  disable(
    @Param('userId', new ParseUUIDPipe()) userId: string,
    @Body() body: DisableUserRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(
      new DisableUser(
        { userId, ...(body.reason?.trim() && { reason: body.reason.trim() }) },
        commandContextOf(write),
      ),
    );
  }

  @Get('me')
  @ApiOperation({ summary: 'Who the caller is, and their roles per mission' })
  @ApiOkResponse({ type: CurrentUserView })
  me(@CurrentPrincipal() principal: Principal): Promise<CurrentUser> {
    return this.queries.execute(new GetCurrentUser(snapshotOf(principal)));
  }
}

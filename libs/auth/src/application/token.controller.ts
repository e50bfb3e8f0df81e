/** POST /api/v1/auth/token: email and password for an access token. */
import type { ServerResponse } from 'node:http';
import { Body, Controller, HttpCode, Ip, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProblem, ApiProblems, currentCorrelationId } from '#platform';
import { Public } from '../auth.decorators.js';
import { refuseLogin, TooManyLoginAttempts } from '../too-many-logins.js';
import { IssueToken } from './commands.js';

export class TokenRequest {
  @ApiProperty({ example: 'admin@observa.local' })
  @IsString()
  @MinLength(3)
  @MaxLength(254)
  readonly email!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  readonly password!: string;
}

export class TokenResponse {
  @ApiProperty() readonly accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) readonly tokenType!: 'Bearer';
  @ApiProperty({ description: 'seconds until the token expires' }) readonly expiresIn!: number;
}

@ApiTags('identity')
@Controller('auth')
export class TokenController {
  constructor(private readonly commands: CommandBus) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in: email and password for an access token' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiProblems(400, 413, 500)
  @ApiProblem(401, 'wrong email or password (the same answer for an unknown email)')
  @ApiProblem(404, 'local login is off: this deployment trusts tokens of an external issuer')
  @ApiProblem(429, 'too many failed logins: try again after Retry-After seconds')
  async token(
    @Body() body: TokenRequest,
    @Ip() address: string,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<TokenResponse> {
    try {
      return await this.commands.execute(
        new IssueToken(
          { email: body.email, password: body.password, address: address || 'unknown' },
          { correlationId: currentCorrelationId() },
        ),
      );
    } catch (error) {
      if (error instanceof TooManyLoginAttempts) throw refuseLogin(response, error.retryAfterSeconds);
      throw error;
    }
  }
}

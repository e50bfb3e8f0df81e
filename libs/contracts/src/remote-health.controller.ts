/**
 * GET /health of the gateway: 200 when every context process it forwards to is serving, 503 otherwise;
 * one terminus health indicator per context (grpc.health.v1 through the context's client).
 */
import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '#auth';
import { ApiProblems, HEALTH_TIMEOUT_MS, healthCheckResultOf } from '#platform';
import { REMOTE_CONTEXTS, type RemoteContext } from './remote-context.js';

class ContextHealth {
  @ApiProperty({ example: 'missions' }) context!: string;
  @ApiProperty({ example: 'missions:50051' }) url!: string;
  @ApiProperty({ enum: ['ok', 'down'] }) status!: 'ok' | 'down';
}

export class GatewayHealthReport {
  @ApiProperty({ enum: ['ok', 'down'] }) status!: 'ok' | 'down';
  @ApiProperty({ type: [ContextHealth] }) contexts!: ContextHealth[];
}

/** Public: a probe outside the versioned API, like the platform's HealthController (the edge hosts the guard). */
@ApiTags('operations')
@Public()
@Controller('health')
export class RemoteHealthController {
  constructor(
    @Inject(REMOTE_CONTEXTS) private readonly remotes: readonly RemoteContext[],
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  private async serving(remote: RemoteContext): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(remote.context);
    return (await remote.serving(HEALTH_TIMEOUT_MS))
      ? indicator.up({ url: remote.url })
      : indicator.down({ url: remote.url });
  }

  @Get()
  @ApiOperation({ summary: 'Whether the gateway serves: every context process answers' })
  @ApiProblems(400, 413)
  @ApiOkResponse({ type: GatewayHealthReport, description: 'every context answers' })
  @ApiServiceUnavailableResponse({ type: GatewayHealthReport, description: 'a context does not answer' })
  async check(@Res() res: ServerResponse): Promise<void> {
    const { details } = await healthCheckResultOf(
      this.health.check(this.remotes.map((remote) => () => this.serving(remote))),
    );
    // In the order the contexts are configured (terminus lists the ones up first).
    const contexts = this.remotes.map((remote): ContextHealth => ({
      context: remote.context,
      url: remote.url,
      status: details[remote.context]?.status === 'up' ? 'ok' : 'down',
    }));
    const report: GatewayHealthReport = {
      status: contexts.every((c) => c.status === 'ok') ? 'ok' : 'down',
      contexts,
    };
    res.statusCode = report.status === 'ok' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(report));
  }
}

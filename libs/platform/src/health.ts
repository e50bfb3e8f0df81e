/**
 * GET /health: 200 when the event store answers, 503 when it does not (for load balancers and probes),
 * checked by @nestjs/terminus' HealthCheckService over three indicators (store, projections, parts).
 * A projection that has parked events makes the report `degraded`, still 200: the process serves,
 * and everything but the parked events is in its read models. The parts that move events (a relay,
 * Kafka consumers) add their own state: while one of them cannot do its work (the broker unreachable)
 * the answer is still 200, since commands and queries are served, but `status` is `degraded` and the
 * part says why.
 */
import type { ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { EVENT_STORE, positionToString, type EventStore } from '#event-sourcing';
import { ApiProblems } from './api-problems.js';
import { ApiPublic } from './openapi.js';
import { HealthParts, PartHealth } from './health-parts.js';
import { ProjectionHost, type ParkedEvents } from './projections.module.js';

export type StoreKind = 'pglite' | 'postgres' | 'eventstoredb';

/** What the store is, for operators: bound by the app next to EVENT_STORE. */
export type StoreDescription = { readonly kind: StoreKind; readonly describe: string };
export const STORE_DESCRIPTION = Symbol('StoreDescription');

/** How long a probe waits for the store before calling it down. */
export const HEALTH_TIMEOUT_MS = 2000;

class StoreHealth {
  @ApiProperty({ enum: ['pglite', 'postgres', 'eventstoredb'] })
  kind!: StoreKind;
  @ApiProperty({ example: 'pglite:./data', description: 'where the store lives, without credentials' })
  describe!: string;
  @ApiPropertyOptional({ example: '752/12', description: 'the end of $all, as commit/prepare' })
  head?: string;
  @ApiPropertyOptional({ example: 'the store did not answer within 2000 ms' })
  error?: string;
}

class ProjectionHealth {
  @ApiProperty({ example: 'accreditation-read-models' })
  name!: string;
  @ApiProperty({ enum: ['degraded'] })
  status!: 'degraded';
  @ApiProperty({ type: 'integer', example: 2, description: 'events it could not apply, parked' })
  parked!: number;
  @ApiProperty({
    example:
      '2 events could not be applied and are parked (the last at 2026-12-01T02:00:00.000Z); `npm run dead-letters` lists them',
  })
  reason!: string;
}

export class HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded', 'down'] })
  status!: 'ok' | 'degraded' | 'down';
  @ApiProperty({ type: StoreHealth })
  store!: StoreHealth;
  @ApiPropertyOptional({
    type: [ProjectionHealth],
    description: 'the projections that are not ok (absent when all are)',
  })
  projections?: ProjectionHealth[];
  @ApiPropertyOptional({ type: [PartHealth], description: 'present where a relay or consumers run' })
  parts?: PartHealth[];
}

const projectionHealth = ({ projection, count, lastParkedAt }: ParkedEvents): ProjectionHealth => ({
  name: projection,
  status: 'degraded',
  parked: count,
  reason:
    `${count} event${count === 1 ? '' : 's'} could not be applied and ${count === 1 ? 'is' : 'are'} parked ` +
    `(the last at ${lastParkedAt.toISOString()}); \`npm run dead-letters\` lists them`,
});

class ProbeTimedOut extends Error {}

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimedOut(`the store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

/** Terminus' answer, whether it came back (ok, degraded) or was thrown with a 503 (error, shutting down). */
export const healthCheckResultOf = async (check: Promise<HealthCheckResult>): Promise<HealthCheckResult> => {
  try {
    return await check;
  } catch (error) {
    if (error instanceof ServiceUnavailableException) return error.getResponse() as HealthCheckResult;
    throw error;
  }
};

/** The store, the projections and the parts that move events, each a terminus health indicator. */
@Injectable()
export class PlatformHealthIndicators {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STORE_DESCRIPTION) private readonly description: StoreDescription,
    @Optional() private readonly projections?: ProjectionHost,
    @Optional() @Inject(HealthParts) private readonly parts?: HealthParts,
  ) {}

  /** Down when the store does not give the end of $all within HEALTH_TIMEOUT_MS. */
  async storeAnswers(): Promise<HealthIndicatorResult<'store'>> {
    const indicator = this.indicators.check('store');
    const { kind, describe } = this.description;
    try {
      const head = await withTimeout(this.store.headPosition(), HEALTH_TIMEOUT_MS);
      return indicator.up({ kind, describe, head: positionToString(head) });
    } catch (error) {
      this.logger.warn(`event store ${describe} is down: ${(error as Error).message}`);
      // The driver's own words (hosts, users) stay in the log: /health is public.
      const reason =
        error instanceof ProbeTimedOut ? error.message : 'the store failed to answer; the cause is logged';
      return indicator.down({ kind, describe, error: reason });
    }
  }

  /** Degraded while a projection has parked events. An unanswered count says nothing: the store's probe reports the database. */
  async projectionsApply(): Promise<HealthIndicatorResult<'projections'>> {
    const indicator = this.indicators.check('projections');
    let parked: readonly ParkedEvents[] = [];
    try {
      parked = this.projections ? await withTimeout(this.projections.parked(), HEALTH_TIMEOUT_MS) : [];
    } catch (error) {
      this.logger.warn(`could not count parked events: ${(error as Error).message}`);
    }
    return parked.length === 0
      ? indicator.up()
      : indicator.degraded({ projections: parked.map(projectionHealth) });
  }

  /** Degraded while a relay or a consumer cannot do its work; absent where none runs. */
  partsWork(): HealthIndicatorResult<'parts'> {
    const indicator = this.indicators.check('parts');
    const parts = this.parts?.report() ?? [];
    return parts.some((part) => part.status !== 'ok')
      ? indicator.degraded({ parts })
      : indicator.up({ parts });
  }
}

type Detail = Record<string, unknown> & { status: string };

/** Terminus' details in the answer /health has always given (and the OpenAPI document describes). */
const healthReportOf = ({ details }: HealthCheckResult): HealthReport => {
  const { status: storeStatus, ...store } = details.store as Detail;
  const projections = details.projections as Detail & { projections?: ProjectionHealth[] };
  const parts = (details.parts as Detail & { parts: PartHealth[] }).parts;
  const down = storeStatus !== 'up';
  const degraded = projections.status !== 'up' || parts.some((part) => part.status !== 'ok');
  return {
    status: down ? 'down' : degraded ? 'degraded' : 'ok',
    store: store as unknown as StoreHealth,
    // As before terminus: nothing is said of the projections while the store is down.
    ...(!down && projections.projections && { projections: projections.projections }),
    ...(parts.length > 0 && { parts }),
  };
};

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: PlatformHealthIndicators,
  ) {}

  @Get()
  @ApiPublic()
  @ApiOperation({ summary: 'Whether the platform serves: the event store answers, no projection is stuck' })
  @ApiProblems(400, 413)
  @ApiOkResponse({
    type: HealthReport,
    description: 'the store answers (degraded: a projection has parked events, or a part says why)',
  })
  @ApiServiceUnavailableResponse({ type: HealthReport, description: 'the store does not answer' })
  async check(@Res() res: ServerResponse): Promise<void> {
    const result = await healthCheckResultOf(
      this.health.check([
        () => this.indicators.storeAnswers(),
        () => this.indicators.projectionsApply(),
        () => this.indicators.partsWork(),
      ]),
    );
    const report = healthReportOf(result);
    // Terminus says `shutting_down` once the process is stopping: a load balancer should stop sending.
    const serving = report.status !== 'down' && result.status !== 'shutting_down';
    res.statusCode = serving ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(report));
  }
}

/**
 * Needs EVENT_STORE and STORE_DESCRIPTION from a global module of the app; reports projections when it has
 * ProjectionHost. Terminus logs nothing of its own: the store's indicator logs the cause, once.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [PlatformHealthIndicators],
})
export class HealthModule {}

export { HealthParts, PartHealth } from './health-parts.js';

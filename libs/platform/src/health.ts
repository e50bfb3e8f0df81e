/**
 * GET /health: 200 when the event store answers, 503 when it does not (for load balancers and probes).
 * A projection that has parked events makes the report `degraded`, still 200: the process serves,
 * and everything but the parked events is in its read models. The parts that move events (a relay,
 * Kafka consumers) add their own state: while one of them cannot do its work (the broker unreachable)
 * the answer is still 200, since commands and queries are served, but `status` is `degraded` and the
 * part says why.
 */
import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Logger, Module, Optional, Res } from '@nestjs/common';
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

@ApiTags('operations')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STORE_DESCRIPTION) private readonly description: StoreDescription,
    @Optional() private readonly projections?: ProjectionHost,
    @Optional() @Inject(HealthParts) private readonly parts?: HealthParts,
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
    const report = await this.report();
    res.statusCode = report.status === 'down' ? 503 : 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(report));
  }

  private async report(): Promise<HealthReport> {
    const store = await this.storeReport();
    const parts = this.parts?.report() ?? [];
    if (parts.length === 0) return store;
    const degraded = store.status === 'ok' && parts.some((part) => part.status !== 'ok');
    return { ...store, status: degraded ? 'degraded' : store.status, parts };
  }

  private async storeReport(): Promise<HealthReport> {
    const { kind, describe } = this.description;
    try {
      const [head, parked] = await Promise.all([
        withTimeout(this.store.headPosition(), HEALTH_TIMEOUT_MS),
        this.parked(),
      ]);
      const store = { kind, describe, head: positionToString(head) };
      if (parked.length === 0) return { status: 'ok', store };
      return { status: 'degraded', store, projections: parked.map(projectionHealth) };
    } catch (error) {
      this.logger.warn(`event store ${describe} is down: ${(error as Error).message}`);
      // The driver's own words (hosts, users) stay in the log: /health is public.
      const reason =
        error instanceof ProbeTimedOut ? error.message : 'the store failed to answer; the cause is logged';
      return { status: 'down', store: { kind, describe, error: reason } };
    }
  }

  /** An unanswered count says nothing about the projections: the store's probe reports the database. */
  private async parked(): Promise<ParkedEvents[]> {
    if (!this.projections) return [];
    try {
      return await withTimeout(this.projections.parked(), HEALTH_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`could not count parked events: ${(error as Error).message}`);
      return [];
    }
  }
}

/** Needs EVENT_STORE and STORE_DESCRIPTION from a global module of the app; reports projections when it has ProjectionHost. */
@Module({ controllers: [HealthController] })
export class HealthModule {}

export { HealthParts, PartHealth } from './health-parts.js';

/**
 * The accreditation context over HTTP in one process, for the use cases' given / when / then specs:
 * the context's module behind the platform's HTTP edge (guard, validation, idempotency, problem+json),
 * on an in-memory PGlite, with the read models fed in process and a clock that says what the spec says.
 * Who holds which role in a mission is given as the missions context's events, as any other fact.
 */
import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { IdentityModule, issueAccessToken, LOCAL_AUDIENCE, LOCAL_ISSUER, type MissionRole } from '#auth';
import { EVENT_STORE, type DomainEvent, type EventStore } from '#event-sourcing';
import {
  AppConfigModule,
  createHttpApp,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionHost,
  ProjectionsModule,
  ReadModelsModule,
} from '#platform';
import { stream, type HttpSpecHost, type StreamEvents } from '#testing';
import { AccreditationModule } from './accreditation.module.js';
import { ACCREDITATION_CLOCK } from './clock.js';
import { historyUntil } from './domain/application.examples.js';

const JWT_SECRET = 'over-http-spec-secret-long-enough-for-hs256!';

export type AccreditationOverHttp = HttpSpecHost & {
  /** `Authorization: Bearer …` for the user. */
  bearerFor(userId: string): Promise<Record<string, string>>;
  close(): Promise<void>;
};

/** The missions context's fact that the user holds the role in the mission (its `mission-<id>` stream). */
export const staffRole = (missionId: string, userId: string, role: MissionRole): StreamEvents =>
  stream(`mission-${missionId}`, [{ type: 'StaffRoleGranted', data: { missionId, userId, role } }]);

/** An application's history up to a stage (domain/application.examples.ts), under its own id. */
export const historyOf = (applicationId: string, stage: keyof typeof historyUntil): DomainEvent[] =>
  historyUntil[stage].map((event) => ({ type: event.type, data: { ...event.data, applicationId } }));

export const startAccreditationOverHttp = async (now: () => Date): Promise<AccreditationOverHttp> => {
  const config = loadConfig({
    OBSERVA_DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    OBSERVA_JWT_SECRET: JWT_SECRET,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppConfigModule.forRoot(config),
      MetricsModule,
      EventStoreModule.forRoot(config),
      ReadModelsModule,
      ProjectionsModule.inProcess(),
      CqrsModule.forRoot(),
      IdentityModule.forRoot(config),
      AccreditationModule,
    ],
  })
    .overrideProvider(ACCREDITATION_CLOCK)
    .useValue(now)
    .compile();
  const app: NestExpressApplication = await createHttpApp(moduleRef, config);
  await app.init();
  const projections = app.get(ProjectionHost);
  return {
    http: request(app.getHttpServer()),
    store: app.get<EventStore>(EVENT_STORE),
    settle: async () => {
      const deadline = Date.now() + 10_000;
      while ((await projections.lag()) > 0) {
        if (Date.now() > deadline) throw new Error('the read models did not catch up with the given events');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    bearerFor: async (userId) => {
      const token = await issueAccessToken(
        { userId, email: `${userId}@over-http.test` },
        {
          secret: new TextEncoder().encode(JWT_SECRET),
          issuer: LOCAL_ISSUER,
          audience: LOCAL_AUDIENCE,
          ttlSeconds: 900,
        },
        new Date(),
        randomUUID(),
      );
      return { authorization: `Bearer ${token.accessToken}` };
    },
    close: () => app.close(),
  };
};

import { describe, expect, it } from '@jest/globals';
import { Command, Query } from '@nestjs/cqrs';
import type { Request } from 'express';
import { writeContextOf, type Principal, type WriteContext } from '#auth';
import type { CommandContext } from '#event-sourcing';
import { decodeCommand, decodeQuery, encodeCommand, encodeQuery } from './contract-codec.js';
import { ContractRegistry, UnknownContract } from './contract-registry.js';
import { overTheWire } from './proto-round-trip.js';

class OpenMission extends Command<{ id: string }> {
  constructor(
    readonly payload: { name: string; election: { date: Date; rounds: number } },
    readonly context: WriteContext,
  ) {
    super();
  }
}
class CloseMission extends Command<void> {
  constructor(
    readonly payload: { missionId: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}
class ListObservers extends Query<string[]> {
  constructor(
    readonly missionId: string,
    readonly filter: { role?: string },
  ) {
    super();
  }
}
class MissionsOf extends Query<string[]> {
  constructor(readonly principal: Principal) {
    super();
  }
}
class PlainCommand {
  constructor(readonly payload: { n: bigint }) {}
}

const registry = new ContractRegistry();
registry.register('missions', [OpenMission, CloseMission, ListObservers, MissionsOf]);
registry.register('missions', { commands: [PlainCommand] });

const principal: Principal = {
  userId: 'user-1',
  email: 'secretariat@example.org',
  missionRoles: new Map([['mission-1', new Set(['secretariat', 'analyst'] as const)]]),
};

const request = (idempotencyKey?: string) =>
  ({
    method: 'POST',
    path: '/api/v1/missions',
    route: { path: '/api/v1/missions' },
    params: { missionId: 'mission-1' },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  }) as unknown as Request;

const sendCommand = (command: object) =>
  decodeCommand('missions', overTheWire.command(encodeCommand(command, registry)), registry);
const sendQuery = (query: object) =>
  decodeQuery('missions', overTheWire.query(encodeQuery(query, 'corr-1', registry)), registry);

describe('commands on the wire', () => {
  it('arrive as the same class with the same payload and context', () => {
    const write = writeContextOf(request('key-1'), principal, ['secretariat']);
    const command = new OpenMission(
      { name: 'EOM Kyrgyzstan', election: { date: new Date('2023-11-30'), rounds: 1 } },
      write,
    );

    const arrived = sendCommand(command) as OpenMission;

    expect(arrived).toBeInstanceOf(OpenMission);
    expect(arrived.payload).toEqual(command.payload);
    const { newId: _sent, ...sent } = write;
    const { newId: _derived, ...received } = arrived.context;
    expect(received).toEqual(sent);
  });

  it('derive the same ids again for a retried keyed request, different ones for another key', () => {
    const arrive = (key: string) =>
      (
        sendCommand(
          new OpenMission(
            { name: 'm', election: { date: new Date(0), rounds: 1 } },
            writeContextOf(request(key), principal),
          ),
        ) as OpenMission
      ).context;

    const first = arrive('key-1');
    const retry = arrive('key-1');
    const other = arrive('key-2');

    expect(first.newId('mission')).toBe(retry.newId('mission'));
    expect(first.newId('mission')).toBe(first.newId('mission'));
    expect(first.newId('mission')).not.toBe(first.newId('delegation'));
    expect(other.newId('mission')).not.toBe(first.newId('mission'));
  });

  it('make fresh ids each time without an Idempotency-Key, as at the edge', () => {
    const arrived = sendCommand(
      new OpenMission(
        { name: 'm', election: { date: new Date(0), rounds: 1 } },
        writeContextOf(request(), principal),
      ),
    ) as OpenMission;
    expect(arrived.context.newId('mission')).not.toBe(arrived.context.newId('mission'));
  });

  it('keep a plain command context plain, with only the fields it had', () => {
    const context: CommandContext = { commandId: 'c-1', actor: { userId: 'user-1', role: 'secretariat' } };
    const arrived = sendCommand(new CloseMission({ missionId: 'mission-1' }, context)) as CloseMission;
    expect(arrived.context).toEqual(context);
  });

  it('carry a command without a context', () => {
    const arrived = sendCommand(new PlainCommand({ n: 2n ** 70n })) as PlainCommand;
    expect(arrived).toEqual(new PlainCommand({ n: 2n ** 70n }));
    expect(arrived).not.toHaveProperty('context');
  });
});

describe('queries on the wire', () => {
  it('arrive with any constructor shape', () => {
    const arrived = sendQuery(new ListObservers('mission-1', { role: 'LTO' }));
    expect(arrived).toBeInstanceOf(ListObservers);
    expect(arrived).toEqual(new ListObservers('mission-1', { role: 'LTO' }));
  });

  it('carry the principal with its mission roles as sets', () => {
    const arrived = sendQuery(new MissionsOf(principal)) as MissionsOf;
    expect(arrived.principal).toEqual(principal);
    expect(arrived.principal.missionRoles.get('mission-1')).toBeInstanceOf(Set);
  });

  it('carry a principal snapshot (roles as arrays) as a snapshot', () => {
    class Me extends Query<void> {
      constructor(
        readonly principal: {
          userId: string;
          email: string;
          platformRole?: 'admin';
          missionRoles: Record<string, string[]>;
        },
      ) {
        super();
      }
    }
    registry.register('missions', [Me]);
    const snapshot = {
      userId: 'admin-1',
      email: 'a@example.org',
      platformRole: 'admin' as const,
      missionRoles: { m: ['auditor'] },
    };
    expect((sendQuery(new Me(snapshot)) as Me).principal).toEqual(snapshot);
  });
});

describe('the registry', () => {
  it('refuses to send a class nobody registered', () => {
    class Unregistered {}
    expect(() => encodeCommand(new Unregistered(), registry)).toThrow(UnknownContract);
  });

  it('refuses a name the context does not know, or of the other kind', () => {
    expect(() => decodeCommand('missions', { name: 'DropDatabase', payloadJson: '{}' }, registry)).toThrow(
      UnknownContract,
    );
    expect(() =>
      decodeQuery('missions', { name: 'OpenMission', payloadJson: '{}', correlationId: '' }, registry),
    ).toThrow(UnknownContract);
  });

  it('asks how to classify a class that extends neither Command nor Query', () => {
    class Neither {}
    expect(() => registry.register('missions', [Neither])).toThrow(/commands: \[\.\.\.\]/);
  });

  it('refuses a second class under a taken name, accepts the same class again', () => {
    const again = new ContractRegistry();
    again.register('missions', [OpenMission]);
    expect(() => again.register('missions', [OpenMission])).not.toThrow();
    const Impostor = class OpenMission extends Command<void> {};
    expect(() => again.register('missions', [Impostor])).toThrow(/already a command of missions/);
  });
});

/**
 * The EventStoreDB adapter: the shared contract against the server named by EVENTSTOREDB_URL
 * (e.g. `kurrentdb://localhost:2113?tls=false`), and, with or without one, its mapping to our envelope.
 */
import { describe, expect, it, jest } from '@jest/globals';
import {
  KurrentDBClient,
  NO_STREAM,
  type EventData,
  type RecordedEvent as StoredEvent,
} from '@kurrent/kurrentdb-client';
import { parseConnectionString } from '@kurrent/kurrentdb-client/dist/Client/parseConnectionString.js';
import {
  findChainBreak,
  InvalidEvent,
  prepareForStore,
  VersionConflict,
  type ExpectedVersion,
} from '#event-sourcing';
import { eventStoreContract, newEvent } from '#testing';
import {
  assertExpected,
  chainBatch,
  connectEventStoreDb,
  EventStoreDbEventStore,
  observaStreams,
  streamStateAt,
  toEventData,
  toRecorded,
  type StreamHead,
} from './eventstoredb-event-store.js';

const url = process.env.EVENTSTOREDB_URL;
const documentedUrl = 'kurrentdb://localhost:2113?tls=false';

if (url)
  eventStoreContract('EventStoreDB', async () => {
    const store = connectEventStoreDb(url);
    return { store, dispose: () => store.close() };
  });
else
  describe('event store contract: EventStoreDB', () =>
    it('needs EVENTSTOREDB_URL to run against a server', () =>
      expect(parseConnectionString(documentedUrl)).toMatchObject({
        dnsDiscover: false,
        hosts: [{ address: 'localhost', port: 2113 }],
        tls: false,
      })));

/** What the server hands back for an event we wrote: JSON over the wire, plus its revision and position. */
const asStored = (streamId: string, written: EventData, revision: bigint, at: bigint): StoredEvent =>
  ({
    streamId,
    id: written.id,
    revision,
    type: written.type,
    isJson: true,
    created: new Date(0),
    data: JSON.parse(JSON.stringify(written.data)),
    metadata: JSON.parse(JSON.stringify(written.metadata)),
    position: { commit: at, prepare: at },
  }) as StoredEvent;

describe('EventStoreDB adapter, without a server', () => {
  const stream = 'observer-7f1c';

  describe('expected version', () => {
    // [expected, revision of the stream's last event (null: no stream), the conflict's actual or 'ok']
    const cases: [ExpectedVersion, bigint | null, bigint | 'no_stream' | 'ok'][] = [
      ['no_stream', null, 'ok'],
      ['no_stream', 2n, 2n],
      ['stream_exists', null, 'no_stream'],
      ['stream_exists', 0n, 'ok'],
      ['any', null, 'ok'],
      ['any', 9n, 'ok'],
      [1n, 1n, 'ok'],
      [0n, 1n, 1n],
      [5n, null, 'no_stream'],
    ];
    it.each(cases)('expecting %p of a stream at %p: %p', (expected, revision, outcome) => {
      const at: StreamHead = revision === null ? null : { revision, hash: 'f'.repeat(64) };
      const refusal = (() => {
        try {
          assertExpected(stream, expected, at);
          return 'ok';
        } catch (error) {
          return error;
        }
      })();
      if (outcome === 'ok') return expect(refusal).toBe('ok');
      expect(refusal).toBeInstanceOf(VersionConflict);
      expect(refusal).toMatchObject({ streamId: stream, actual: outcome });
    });

    it('appends pinned to the head it read, or to no stream at all', () => {
      expect(streamStateAt(null)).toBe(NO_STREAM);
      expect(streamStateAt({ revision: 4n, hash: 'f'.repeat(64) })).toBe(4n);
    });
  });

  describe('metadata', () => {
    it('stores schema version and chain links in the metadata and reads back our envelope exactly', () => {
      const reported = { ...newEvent('IncidentReported', { text: 'урна', n: 1.5 }), schemaVersion: 2 };
      const [first] = chainBatch(prepareForStore(stream, [reported]), null);
      const later = chainBatch(prepareForStore(stream, [newEvent(), newEvent()]), {
        revision: 0n,
        hash: first.hash,
      });

      const written = toEventData(first);
      expect(written).toMatchObject({
        id: reported.eventId.toLowerCase(),
        contentType: 'application/json',
        type: 'IncidentReported',
        data: reported.data,
        metadata: { ...reported.metadata, schemaVersion: 2, hash: first.hash, previousHash: null },
      });

      const read = [first, ...later].map((c, i) =>
        toRecorded(asStored(stream, toEventData(c), c.streamVersion, 100n + BigInt(i))),
      );
      expect(read[0]).toEqual({
        eventId: reported.eventId.toLowerCase(),
        type: 'IncidentReported',
        schemaVersion: 2,
        streamId: stream,
        streamVersion: 0n,
        globalPosition: { commit: 100n, prepare: 100n },
        data: reported.data,
        metadata: { ...reported.metadata, hash: first.hash, previousHash: null },
      });
      expect(read.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
      expect(read[2].metadata.previousHash).toBe(read[1].metadata.hash);
      expect(findChainBreak(read)).toBeNull();
    });

    it('refuses to guess the envelope of an event Observa did not write', () => {
      const foreign = {
        ...asStored(stream, toEventData(chainBatch(prepareForStore(stream, [newEvent()]), null)[0]), 0n, 1n),
      };
      expect(() => toRecorded({ ...foreign, metadata: { occurredAt: 'now' } } as StoredEvent)).toThrow(
        /not written by Observa/,
      );
    });
  });

  it('reads Observa streams only: by category prefix, or every stream but the system ones', () => {
    expect(observaStreams(['observer', 'team'])).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['observer-', 'team-'],
    });
    const everything = observaStreams([]);
    const pattern = new RegExp('regex' in everything ? everything.regex : 'no regex');
    expect(['observer-1', 'team-2'].every((s) => pattern.test(s))).toBe(true);
    expect(['$ce-observer', '$$observer-1', '$stats-127.0.0.1:2113'].some((s) => pattern.test(s))).toBe(
      false,
    );
  });

  it('refuses invalid events before any network call', async () => {
    const client = KurrentDBClient.connectionString('kurrentdb://127.0.0.1:1?tls=false');
    const read = jest.spyOn(client, 'readStream');
    const append = jest.spyOn(client, 'appendToStream');
    const store = new EventStoreDbEventStore(client);
    try {
      await expect(
        store.appendToStream(stream, [newEvent(), { ...newEvent(), type: '' }], 'any'),
      ).rejects.toBeInstanceOf(InvalidEvent);
      await expect(store.appendToStream(stream, [], 'no_stream')).rejects.toBeInstanceOf(InvalidEvent);
      expect(read).not.toHaveBeenCalled();
      expect(append).not.toHaveBeenCalled();
    } finally {
      await store.close();
    }
  });

  it('connects with the legacy esdb:// form, which the client accepts with a warning, and refuses others', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const store = connectEventStoreDb('esdb://localhost:2113?tls=false');
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("'esdb' protocol is deprecated"));
      await store.close();
    } finally {
      warn.mockRestore();
    }
    expect(() => connectEventStoreDb('postgres://localhost:5432/observa')).toThrow();
  });
});

/**
 * deploy/kafka/kafka.sh keeps the broker's data across stop and start (issue 8): a relay's checkpoint
 * counts on the topics keeping what it published. On the spec's own broker (BreakableBroker, 29092).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureTopics } from '#messaging';
import { BreakableBroker, uniqueName } from './kafka.js';

const broker = new BreakableBroker();

/** Messages the topic holds (-1: no such topic), once the restarted broker leads its partitions again. */
const messagesOf = async (topic: string): Promise<number> => {
  const admin = broker.client('kafka-script-spec').admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await admin.listTopics()).includes(topic)) return -1;
        const ends = await admin.fetchTopicOffsets(topic);
        return ends.reduce((n, { high, low }) => n + Number(high) - Number(low), 0);
      } catch (error) {
        if (attempt === 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await admin.disconnect();
  }
};

describe('kafka.sh', () => {
  beforeAll(() => broker.start(), 180_000);
  afterAll(() => broker.stop(), 60_000);

  it('keeps topics and their messages when the broker is stopped and started again, twice', async () => {
    const topic = uniqueName('kept');
    const kafka = broker.client('kafka-script-spec');
    await ensureTopics(kafka, [topic], { numPartitions: 2 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ key: value, value })) });
    await producer.disconnect();

    for (let i = 0; i < 2; i++) {
      await broker.stop();
      await broker.start();
      expect(await messagesOf(topic)).toBe(3);
    }
  }, 240_000);

  it('wipes only when asked: the next start is a new, empty cluster', async () => {
    const topic = uniqueName('wiped');
    await ensureTopics(broker.client('kafka-script-spec'), [topic]);
    expect(await messagesOf(topic)).toBe(0);

    await broker.wipe();
    await broker.start();
    expect(await messagesOf(topic)).toBe(-1);
  }, 240_000);

  it('takes cluster ids from Kafka’s own generator, which never begins one with a dash', async () => {
    const id = (await broker.run('cluster-id')).trim();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(id).not.toMatch(/^-/);
  }, 60_000);
});

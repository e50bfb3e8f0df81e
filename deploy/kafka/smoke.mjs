// Smoke test for the local Kafka broker (deploy/kafka/kafka.sh) with kafkajs 2.2.4.
//
//   KAFKA_BROKERS=127.0.0.1:19092 node deploy/kafka/smoke.mjs
//
// Checks: admin createTopics (3 partitions) / listTopics / fetchTopicMetadata, produce with keys
// and headers, consumer group consume fromBeginning (all messages, headers intact), explicit offset
// commit, a second consumer in the same group resumes from the committed offset, admin deleteTopics.
// Exit 0 on success, 1 with a message on failure.
// Expected noise: one kafkajs ERROR log "GroupCoordinator ... The group coordinator is not available" on a
// fresh broker; kafkajs retries it while the broker creates __consumer_offsets (harmless).
import kafkajs from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const topic = `observa-smoke-${runId}`;
const groupId = `observa-smoke-group-${runId}`;
const FIRST_BATCH = 30;
const SECOND_BATCH = 5;
const OVERALL_TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS ?? 90_000);

const kafka = new Kafka({
  clientId: 'observa-kafka-smoke',
  brokers,
  logLevel: logLevel[process.env.KAFKAJS_LOG_LEVEL ?? 'WARN'] ?? logLevel.WARN,
  retry: { retries: 5 },
});

const started = Date.now();
const step = (msg) => console.log(`[smoke +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

class SmokeError extends Error {}
function check(cond, msg) {
  if (!cond) throw new SmokeError(msg);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, predicate, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await sleep(100);
  }
  throw new SmokeError(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const toClose = [admin, producer];
let topicCreated = false;

function makeMessages(prefix, n) {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}-key-${i}`,
    value: JSON.stringify({ prefix, i }),
    headers: { 'x-seq': String(i), 'x-prefix': prefix, 'x-run': runId },
  }));
}

// Consumes with a fresh consumer in `groupId` until `expected` messages arrived, then waits `settleMs`
// for stray extras, commits the next offsets explicitly and disconnects. Returns received messages.
async function consumeAndCommit(label, expected, settleMs) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500 });
  toClose.push(consumer);
  const received = [];
  const next = new Map(); // partition -> next offset to commit
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      received.push({
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : v]),
        ),
      });
      next.set(partition, (BigInt(message.offset) + 1n).toString());
    },
  });
  await waitFor(`${label}: ${expected} messages (got ${received.length})`, () => received.length >= expected);
  await sleep(settleMs);
  await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset })));
  await consumer.disconnect();
  toClose.splice(toClose.indexOf(consumer), 1);
  return received;
}

async function main() {
  step(`brokers=${brokers.join(',')} topic=${topic}`);
  await admin.connect();

  // --- admin: create / list / metadata -----------------------------------------------------
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  check(created === true, `createTopics returned ${created}, expected true`);
  topicCreated = true;
  const topics = await admin.listTopics();
  check(topics.includes(topic), `listTopics does not include ${topic}: ${JSON.stringify(topics)}`);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const tmeta = meta.topics.find((t) => t.name === topic);
  check(tmeta, `fetchTopicMetadata has no entry for ${topic}`);
  check(tmeta.partitions.length === 3, `expected 3 partitions, got ${tmeta.partitions.length}`);
  check(
    tmeta.partitions.every((p) => p.leader >= 0 && p.partitionErrorCode === 0),
    `partition without leader: ${JSON.stringify(tmeta.partitions)}`,
  );
  step('admin createTopics/listTopics/fetchTopicMetadata ok (3 partitions)');

  // --- produce -------------------------------------------------------------------------------
  await producer.connect();
  const first = makeMessages('first', FIRST_BATCH);
  const res = await producer.send({ topic, acks: -1, messages: first });
  check(res.every((r) => r.errorCode === 0), `produce errors: ${JSON.stringify(res)}`);
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  check(total === FIRST_BATCH, `expected ${FIRST_BATCH} messages in topic, high watermarks say ${total}`);
  const usedPartitions = offsets.filter((p) => Number(p.high) > 0).length;
  step(`produced ${FIRST_BATCH} messages with keys+headers over ${usedPartitions} partitions`);

  // --- consume #1 (fromBeginning) + commit ----------------------------------------------------
  const got1 = await consumeAndCommit('consumer #1', FIRST_BATCH, 1_000);
  check(got1.length === FIRST_BATCH, `consumer #1 got ${got1.length} messages, expected ${FIRST_BATCH}`);
  const byKey = new Map(got1.map((m) => [m.key, m]));
  for (const m of first) {
    const r = byKey.get(m.key);
    check(r, `consumer #1 did not receive key ${m.key}`);
    check(r.value === m.value, `value mismatch for ${m.key}: ${r.value}`);
    for (const [h, v] of Object.entries(m.headers)) {
      check(r.headers[h] === v, `header ${h} for ${m.key}: expected ${v}, got ${r.headers[h]}`);
    }
  }
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committedTotal = committed[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  check(committedTotal === FIRST_BATCH, `committed offsets sum to ${committedTotal}, expected ${FIRST_BATCH}: ${JSON.stringify(committed)}`);
  step(`consumer #1 received all ${FIRST_BATCH} (keys, values, headers intact), committed, disconnected`);

  // --- consume #2: same group resumes from committed offsets ------------------------------------
  const second = makeMessages('second', SECOND_BATCH);
  await producer.send({ topic, acks: -1, messages: second });
  const got2 = await consumeAndCommit('consumer #2', SECOND_BATCH, 3_000);
  const old = got2.filter((m) => m.headers['x-prefix'] !== 'second');
  check(old.length === 0, `consumer #2 re-received ${old.length} already committed messages`);
  check(got2.length === SECOND_BATCH, `consumer #2 got ${got2.length} messages, expected ${SECOND_BATCH}`);
  step(`consumer #2 (same group) resumed from committed offsets: ${SECOND_BATCH} new, 0 old`);

  // --- cleanup: delete group + topic ----------------------------------------------------------
  await producer.disconnect();
  toClose.splice(toClose.indexOf(producer), 1);
  await admin.deleteGroups([groupId]);
  await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  topicCreated = false;
  await waitFor('topic to disappear from listTopics', async () => !(await admin.listTopics()).includes(topic), 15_000);
  step('admin deleteGroups/deleteTopics ok');
  await admin.disconnect();
  toClose.length = 0;
}

const timer = setTimeout(() => {
  console.error(`SMOKE FAILED: overall timeout of ${OVERALL_TIMEOUT_MS} ms exceeded`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
timer.unref();

try {
  await main();
  console.log(`SMOKE OK (${((Date.now() - started) / 1000).toFixed(1)}s, kafkajs against ${brokers.join(',')})`);
  process.exit(0);
} catch (err) {
  console.error(`SMOKE FAILED: ${err instanceof SmokeError ? err.message : err?.stack ?? err}`);
  if (topicCreated) {
    await admin.deleteTopics({ topics: [topic], timeout: 5_000 }).catch(() => {});
  }
  await Promise.allSettled(toClose.map((c) => c.disconnect()));
  process.exit(1);
}

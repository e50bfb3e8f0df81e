/**
 * The Kafka broker for the relay suite: KAFKA_BROKERS when set, else the local broker of
 * deploy/kafka/kafka.sh (started if nothing answers on KAFKA_PORT, default 19092, and left running).
 * A copy of libs/testing's helper, like db.ts: dist has no #testing to import at run time.
 * Also samples the CPU of the broker JVM(s) on this machine, which cpu.ts counts as "other".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import kafkajs, { type Kafka } from 'kafkajs';
import { kafkaBrokers, repositoryRoot } from '../../libs/testing/src/kafka.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

// The broker lookup is the tests' own (libs/testing/src/kafka.ts): KAFKA_BROKERS, or the local broker.
export { kafkaBrokers };

/** A quiet kafkajs client (KAFKAJS_LOG_LEVEL=ERROR|WARN|INFO|DEBUG to hear it). */
export const benchKafka = async (clientId: string): Promise<Kafka> =>
  new KafkaClient({
    clientId,
    brokers: await kafkaBrokers(),
    logLevel:
      logLevel[(process.env.KAFKAJS_LOG_LEVEL ?? 'NOTHING') as keyof typeof logLevel] ?? logLevel.NOTHING,
  });

export const kafkaDescription = async (): Promise<Record<string, unknown>> => {
  const brokers = await kafkaBrokers();
  let brokerJar: string | undefined;
  try {
    brokerJar = readdirSync(join(repositoryRoot(), 'deploy', 'kafka', '.jars')).find((f) =>
      /^kafka_[\d.]+-.*\.jar$/.test(f),
    );
  } catch {
    brokerJar = undefined;
  }
  const kafkajsVersion = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string })
    .version;
  return {
    brokers,
    ...(brokerJar ? { localBrokerJar: brokerJar } : {}),
    localBrokerProcesses: brokerPids().length,
    kafkajs: kafkajsVersion,
  };
};

/** Pids of Kafka broker JVMs on this machine (any `kafka.Kafka` main class). */
export const brokerPids = (): number[] => {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.split('\0').includes('kafka.Kafka')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
};

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds used so far by these processes (utime + stime); 0 for any that is gone. */
export const processCpuSeconds = (pids: readonly number[]): number => {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND;
};

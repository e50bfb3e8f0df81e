/**
 * What goes wrong on an operator's day, one fault at a time: a process killed (kill -9) and relaunched
 * a few seconds later as a supervisor would, the broker stopped and started, the broker wiped (topics,
 * messages and consumer offsets gone) and started, and everything stopped and started again. A fault
 * returns once the platform has been put back as an operator or supervisor would: it does not wait
 * for the platform to recover, that is what is measured.
 */
import type { BreakableBroker } from '../../libs/testing/src/kafka.js';
import type { App, OperatedPlatform } from './operated-platform.js';

export type FaultScene = {
  readonly platform: OperatedPlatform;
  readonly broker: BreakableBroker;
  /** How long a killed or stopped part stays down. */
  readonly downMs: number;
};

export type Fault = {
  readonly name: string;
  inject(scene: FaultScene): Promise<void>;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const killed = (app: App): Fault => ({
  name: `kill -9 ${app}, relaunched after the pause`,
  async inject({ platform, downMs }) {
    await platform.kill(app);
    await sleep(downMs);
    await platform.relaunch(app);
  },
});

export const brokerStopped: Fault = {
  name: 'Kafka stopped, started after the pause (kafka.sh stop / start)',
  async inject({ broker, downMs }) {
    await broker.stop();
    await sleep(downMs);
    await broker.start();
  },
};

export const brokerWiped: Fault = {
  name: 'Kafka wiped (topics, messages, offsets), started after the pause',
  async inject({ broker, downMs }) {
    await broker.wipe();
    await sleep(downMs);
    await broker.start();
  },
};

export const everythingRestarted: Fault = {
  name: 'stop:distributed, then start:distributed (with its build)',
  async inject({ platform }) {
    await platform.stop();
    await platform.start();
  },
};

export const noFault: Fault = {
  name: 'none',
  async inject() {},
};

/** The faults in the order a run injects them. */
export const FAULTS = {
  none: noFault,
  'kill-accreditation': killed('accreditation'),
  'kill-missions': killed('missions'),
  'kill-gateway': killed('gateway'),
  'broker-stopped': brokerStopped,
  'broker-wiped': brokerWiped,
  'restart-everything': everythingRestarted,
} as const satisfies Record<string, Fault>;

export type FaultName = keyof typeof FAULTS;

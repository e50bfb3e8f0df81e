/**
 * Which command and query classes a context answers for, by name: the gateway forwards exactly these
 * to the context's process, and the context's process turns a name back into its class. A context
 * registers its classes once, next to where it declares them:
 *
 *   contractRegistry.register('missions', { commands: [OpenMission, AddDelegation], queries: [MissionById] });
 *   contractRegistry.register('missions', [OpenMission, MissionById]); // classes extending @nestjs/cqrs Command / Query
 *
 * The classes are plain data (any constructor shape): what travels is their own fields, see
 * contract-codec.ts. A command's `context` and a query's `principal` travel as typed proto fields.
 */
import { Command, Query } from '@nestjs/cqrs';

/** A command or query class: plain data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ContractClass = new (...args: any[]) => object;

export type ContractKind = 'command' | 'query';

export type Contract = {
  readonly context: string;
  readonly name: string;
  readonly kind: ContractKind;
  readonly type: ContractClass;
};

export type ContractList =
  | readonly ContractClass[]
  | { readonly commands?: readonly ContractClass[]; readonly queries?: readonly ContractClass[] };

/** A message whose class no context registered, or a name the receiving context does not know. */
export class UnknownContract extends Error {
  override readonly name = 'UnknownContract';
}

const CONTEXT = /^[a-z][a-z0-9-]{0,100}$/;

const kindOf = (type: ContractClass): ContractKind => {
  if (type.prototype instanceof Command) return 'command';
  if (type.prototype instanceof Query) return 'query';
  throw new Error(
    `${type.name} extends neither Command nor Query of @nestjs/cqrs: register it as ` +
      '{ commands: [...] } or { queries: [...] }',
  );
};

const isClassList = (list: ContractList): list is readonly ContractClass[] => Array.isArray(list);

const classified = (list: ContractList): (readonly [ContractClass, ContractKind])[] =>
  isClassList(list)
    ? list.map((type) => [type, kindOf(type)] as const)
    : [
        ...(list.commands ?? []).map((type) => [type, 'command'] as const),
        ...(list.queries ?? []).map((type) => [type, 'query'] as const),
      ];

export class ContractRegistry {
  private readonly byContext = new Map<string, Map<string, Contract>>();
  private readonly byType = new Map<ContractClass, Contract>();

  /** Registering the same class again is harmless; another class under a taken name is refused. */
  register(context: string, list: ContractList): void {
    if (!CONTEXT.test(context))
      throw new Error(`"${context}" is not a context name (lowercase letters, digits, dashes)`);
    const contracts = this.byContext.get(context) ?? new Map<string, Contract>();
    for (const [type, kind] of classified(list)) {
      const taken = this.byType.get(type) ?? contracts.get(type.name);
      if (taken?.type === type && taken.context === context && taken.kind === kind) continue;
      if (taken)
        throw new Error(
          `cannot register ${type.name} as a ${kind} of ${context}: ${taken.type.name} is already a ${taken.kind} of ${taken.context}`,
        );
      const contract: Contract = { context, name: type.name, kind, type };
      contracts.set(type.name, contract);
      this.byType.set(type, contract);
    }
    this.byContext.set(context, contracts);
  }

  contractsOf(context: string): Contract[] {
    return [...(this.byContext.get(context)?.values() ?? [])];
  }

  /** The contract of a command or query object about to travel. */
  contractOf(message: object): Contract {
    const contract = this.byType.get(message.constructor as ContractClass);
    if (!contract)
      throw new UnknownContract(
        `${message.constructor.name} is not registered for remote use: call contractRegistry.register(context, ...)`,
      );
    return contract;
  }

  /** The class a context registered under `name`, as the receiving end looks it up. */
  lookup(context: string, name: string, kind: ContractKind): Contract {
    const contract = this.byContext.get(context)?.get(name);
    if (!contract || contract.kind !== kind)
      throw new UnknownContract(`the ${context} context has no ${kind} named ${JSON.stringify(name)}`);
    return contract;
  }
}

/** The process's registry: contexts register into it when their modules load. */
export const contractRegistry = new ContractRegistry();

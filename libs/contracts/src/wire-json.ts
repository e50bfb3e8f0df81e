/**
 * JSON for payloads, results and error fields between processes. Plain JSON would turn a bigint into
 * an error, a Date into a string and a Map or Set into `{}`, so a handler would see other values than
 * it sees in-process; these four travel tagged (`{"$wire":"bigint","value":"12"}`) and come back as
 * themselves. Class instances arrive as plain objects: payloads and results are data, not behaviour.
 */

const TAG = '$wire';

type Tagged =
  | { $wire: 'bigint'; value: string }
  | { $wire: 'date'; value: string }
  | { $wire: 'map'; value: [unknown, unknown][] }
  | { $wire: 'set'; value: unknown[] };

/** An object that would read as a tagged value on arrival: refused rather than silently changed. */
export class UnencodableValue extends Error {
  override readonly name = 'UnencodableValue';
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `value` has been through toJSON already (a Date is a string by now): the holder has the original.
  const original = this[key];
  if (typeof original === 'bigint') return { [TAG]: 'bigint', value: original.toString() };
  if (original instanceof Date) return { [TAG]: 'date', value: original.toISOString() };
  if (original instanceof Map) return { [TAG]: 'map', value: [...original] };
  if (original instanceof Set) return { [TAG]: 'set', value: [...original] };
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, TAG))
    throw new UnencodableValue(`an object with a "${TAG}" property cannot travel (at "${key}")`);
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, TAG)) return value;
  const tagged = value as Tagged;
  switch (tagged.$wire) {
    case 'bigint':
      return BigInt(tagged.value);
    case 'date':
      return new Date(tagged.value);
    case 'map':
      return new Map(tagged.value);
    case 'set':
      return new Set(tagged.value);
    default:
      throw new UnencodableValue(`unknown wire tag ${JSON.stringify((tagged as { $wire: unknown }).$wire)}`);
  }
}

/** `undefined` (a handler that returns nothing) travels as the empty string. */
export const toWireJson = (value: unknown): string =>
  value === undefined ? '' : JSON.stringify(value, replacer);

export const fromWireJson = (text: string): unknown => (text === '' ? undefined : JSON.parse(text, reviver));

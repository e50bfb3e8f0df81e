/**
 * What Postgres can hold of a JSON value, in one place for every writer: a `text` column refuses a NUL
 * character, `jsonb` refuses a lone UTF-16 surrogate (and "\u0000"), and every recursive walk over a
 * value (canonical JSON, class-transformer, the store's serializer) needs a bounded depth to finish.
 */

/**
 * Nesting the store takes in an event's data or metadata. Far above any event we write (a rule set's
 * rules are four levels down), and above what the HTTP edge lets in (32) plus the envelope a command
 * wraps a request in, so anything the edge accepted can always be stored.
 */
export const MAX_JSON_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The text with what Postgres would refuse made visible: NUL escaped, lone surrogates replaced (U+FFFD). */
export const storableCopyOf = (text: string): string =>
  text.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATES, '\uFFFD');
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Why Postgres would refuse this text, or undefined when it can hold it. */
export const textProblem = (text: string): string | undefined => {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `contains a NUL character (at ${nul})`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone)
    return `contains a lone UTF-16 surrogate U+${lone[0].charCodeAt(0).toString(16).toUpperCase()} (at ${lone.index})`;
  return undefined;
};

export type JsonPath = readonly (string | number)[];
export type UnstorableJson = { readonly path: JsonPath; readonly problem: string };

/**
 * The first place where a parsed JSON value holds what storage cannot: bad text in a key or a string,
 * a number JSON.parse turned into Infinity, or containers nested deeper than `maxDepth` (an object or
 * array at the top is depth 1). Walks with its own stack, so a value nested 100 000 deep cannot
 * overflow the call stack, and stops at the first level past the bound.
 */
export const findUnstorableJson = (value: unknown, maxDepth: number): UnstorableJson | undefined => {
  const pending: { value: unknown; path: JsonPath }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      const problem = textProblem(item);
      if (problem) return { path, problem };
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return { path, problem: 'is a number too large to store' };
    } else if (typeof item === 'object' && item !== null) {
      if (path.length + 1 > maxDepth) return { path, problem: `is nested deeper than ${maxDepth} levels` };
      if (Array.isArray(item)) {
        for (let i = item.length - 1; i >= 0; i--) pending.push({ value: item[i], path: [...path, i] });
      } else {
        const keys = Object.keys(item);
        for (const key of keys) {
          const problem = textProblem(key);
          if (problem) return { path: [...path, key], problem: `has a name that ${problem}` };
        }
        for (let i = keys.length - 1; i >= 0; i--)
          pending.push({ value: (item as Record<string, unknown>)[keys[i]], path: [...path, keys[i]] });
      }
    }
  }
  return undefined;
};

/**
 * Crypto-shredding (DESIGN.md §6): personal data goes into events only sealed with a key of its own
 * person. Erasing the person destroys the key; the events stay whole (their hash chain still verifies)
 * but what they hold of the person can no longer be read by anyone.
 */

/** What an event holds instead of the personal data: AES-256-GCM, every binary field in base64. */
export type SealedPersonalData = {
  readonly personId: string;
  readonly alg: 'A256GCM';
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
};

export interface PersonalDataVault {
  /** Seals the value with the person's key, made on first use. Refuses (PersonErased) once the person is erased. */
  encrypt(personId: string, value: unknown): Promise<SealedPersonalData>;
  /** The value as it was sealed, or null when the person has been erased. */
  decrypt<T = unknown>(sealed: SealedPersonalData): Promise<T | null>;
  /** `decrypt` of each, in order, with the keys read in one go (a page of a list). */
  decryptAll<T = unknown>(sealed: readonly SealedPersonalData[]): Promise<(T | null)[]>;
  /** Destroys the person's key for good; erasing twice keeps the first moment. */
  erase(personId: string): Promise<{ readonly erasedAt: Date }>;
}

export const PERSONAL_DATA_VAULT = Symbol('PersonalDataVault');

/** Sealing for a person who has been erased: nothing new may be learnt about someone forgotten. */
export class PersonErasedError extends Error {
  override readonly name = 'PersonErasedError';
  constructor(readonly personId: string) {
    super(`person ${personId} has been erased`);
  }
}

export const isSealed = (value: unknown): value is SealedPersonalData => {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return (
    fields.alg === 'A256GCM' &&
    ['personId', 'iv', 'tag', 'ciphertext'].every((key) => typeof fields[key] === 'string')
  );
};

/** Passphrases, not passwords: length is what makes them hard to guess (NIST SP 800-63B). */
export const MIN_PASSWORD_LENGTH = 12;

export * from './vault.js';
export * from './postgres-vault.js';
export * from './key-encryption-key.js';

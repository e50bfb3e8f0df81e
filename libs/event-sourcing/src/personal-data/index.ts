export * from './vault.js';
export * from './postgres-vault.js';

import { describe, expect, it } from '@jest/globals';
import { ConfigInvalid, loadConfig } from '#platform';
import { GatewayHostModule } from './gateway-host.js';

describe('the gateway host', () => {
  it('needs DATABASE_URL to host identity, naming the variable', () => {
    const build = () =>
      GatewayHostModule.forRoot({ config: loadConfig({ LOG_LEVEL: 'silent' }), contexts: [] });
    expect(build).toThrow(ConfigInvalid);
    expect(build).toThrow(/DATABASE_URL is required/);
  });

  it('hosts identity on its own store when it has one, and nothing of it with identity: false', () => {
    const names = (identity?: false) =>
      (
        GatewayHostModule.forRoot({
          config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }),
          contexts: [],
          ...(identity === false && { identity }),
        }).imports ?? []
      ).map((module) => ('module' in module ? module.module.name : (module as { name: string }).name));
    expect(names()).toEqual(
      expect.arrayContaining(['EventStoreModule', 'ReadModelsModule', 'ProjectionsModule', 'IdentityModule']),
    );
    expect(names(false)).not.toEqual(expect.arrayContaining(['IdentityModule']));
    expect(names(false)).not.toEqual(expect.arrayContaining(['EventStoreModule']));
  });
});

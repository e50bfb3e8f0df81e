import { describe, expect, it } from '@jest/globals';
import { Ledger, outageSeconds } from './ledger.js';

describe('the ledger of acknowledged writes', () => {
  it('counts an outage from its first refusal to its last, and refusals far apart as two outages', () => {
    expect(outageSeconds([])).toBe(0);
    expect(outageSeconds([5000])).toBe(0);
    expect(outageSeconds([2000, 0, 1000])).toBe(2);
    expect(outageSeconds([0, 1000, 10_000, 10_500])).toBe(1.5);
  });

  it('keeps the first answer to a key, and names a key answered with another id as a doubled write', () => {
    const ledger = new Ledger();
    ledger.acknowledge({ kind: 'application', key: 'k1', id: 'a1', eventIds: ['e1'] }, false);
    ledger.acknowledge({ kind: 'application', key: 'k1', id: 'a1', eventIds: ['e1'] }, true);
    ledger.acknowledge({ kind: 'mission', key: 'k2', id: 'm1', eventIds: ['e2'] }, false);
    expect([...ledger.idsOf('application')]).toEqual(['a1']);
    expect(ledger.eventIds()).toEqual(['e1', 'e2']);
    expect(ledger.replayed).toBe(1);
    expect(ledger.contradictions).toEqual([]);
    ledger.acknowledge({ kind: 'application', key: 'k1', id: 'a2', eventIds: ['e3'] }, false);
    expect(ledger.contradictions).toEqual([{ key: 'k1', ids: ['a1', 'a2'] }]);
  });
});

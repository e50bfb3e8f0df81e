import { describe, expect, it } from '@jest/globals';
import { topicOf, TopicRouting, UnknownCategory } from './topics.js';

describe('topic routing', () => {
  const routing = new TopicRouting({
    mission: 'missions',
    observer: 'accreditation',
    application: 'accreditation',
  });

  it('sends a stream to the topic of the context owning its category', () => {
    expect(routing.topicOfStream('observer-7f3a')).toBe('observa.accreditation.events.v1');
    expect(routing.topicOfStream('mission-1')).toBe(topicOf('missions'));
  });

  it('lists each context topic once, and the topics of some categories', () => {
    expect(routing.topics).toEqual(['observa.missions.events.v1', 'observa.accreditation.events.v1']);
    expect(routing.topicsOf(['observer', 'application'])).toEqual(['observa.accreditation.events.v1']);
    expect(routing.topicsOf([])).toEqual(routing.topics);
  });

  it('refuses a category nobody routed, naming it and the stream', () => {
    expect(() => routing.topicOfStream('visit-42')).toThrow(UnknownCategory);
    expect(() => routing.topicOfStream('visit-42')).toThrow(
      'no context is configured for stream category "visit" (stream visit-42)',
    );
    expect(() => routing.topicsOf(['visit'])).toThrow(UnknownCategory);
  });

  it('refuses routes that cannot name a category or a topic', () => {
    expect(() => new TopicRouting({ 'polling-station': 'deployment' })).toThrow('not a stream category');
    expect(() => new TopicRouting({ station: 'Deployment Context' })).toThrow('not a context name');
  });
});

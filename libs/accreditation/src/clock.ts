/** The context's clock: the transport adapters read it once per command and hand the time to the use case. */
export const ACCREDITATION_CLOCK = Symbol('AccreditationClock');
export type Clock = () => Date;

/** Distributed mode: the HTTP edge, forwarding each context's commands and queries to its process over gRPC. */
import { runGateway } from '#contracts';
import { accreditation, missions } from './contexts.js';

await runGateway([missions, accreditation]);

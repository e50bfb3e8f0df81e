/** Distributed mode: the HTTP edge, forwarding each context's commands and queries to its process over gRPC. */
import { accreditation, missions, runGateway } from '#contracts';

await runGateway([missions, accreditation]);

/** Distributed mode: the accreditation context in its own process (gRPC on GRPC_URL, default 127.0.0.1:50052). */
import { runContextHost } from '#contracts';
import { accreditation } from '../../gateway/src/contexts.js';

await runContextHost(accreditation);

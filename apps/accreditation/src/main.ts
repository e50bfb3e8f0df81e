/** Distributed mode: the accreditation context in its own process (gRPC on GRPC_URL, default 127.0.0.1:50052). */
import { accreditation, runContextHost } from '#contracts';

await runContextHost(accreditation);

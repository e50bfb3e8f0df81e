/** Distributed mode: the missions context in its own process (gRPC on GRPC_URL, default 127.0.0.1:50051). */
import { missions, runContextHost } from '#contracts';

await runContextHost(missions);

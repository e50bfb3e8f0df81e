/**
 * The HTTP a context's process answers besides gRPC: GET /health and GET /metrics, for probes and
 * Prometheus, served by the platform's own controllers. Nothing else: the context's HTTP controllers
 * belong to the gateway.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Registry } from 'prom-client';
import { HealthController, Metrics, PROBLEM_CONTENT_TYPE } from '#platform';

export class OperationsServer {
  private readonly server: Server;

  constructor(app: INestApplicationContext) {
    const health = app.get(HealthController, { strict: false });
    const metrics = app.get(Metrics, { strict: false });
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const answer = async () => {
        if (req.method === 'GET' && path === '/health') return health.check(res);
        if (req.method === 'GET' && path === '/metrics') {
          const text = await metrics.render();
          res.setHeader('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE);
          return void res.end(text);
        }
        res.statusCode = 404;
        res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
        res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, instance: path }));
      };
      answer().catch(() => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    });
  }

  listen(port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

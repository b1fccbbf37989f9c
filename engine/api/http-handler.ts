// HTTP/1.1 on the client port: /health, /version, /metrics and the JSON gateway.
import type http from 'node:http';
import type { ServerApi } from '../server/server-api.ts';
import type { ServerMetrics } from '../server/metrics.ts';
import { etcdClusterVersion, etcdServerVersion } from '../common/version.ts';
import { serveUnary, unaryRoutes, writeGatewayError } from './gateway.ts';
import { streamRoutes } from './gateway-streams.ts';
import { gatewayCommonNameRefusal, gatewayRefusesCommonName } from './request-context.ts';

/** Builds the request listener for the client port's HTTP side. */
export function httpHandler(server: ServerApi, metrics: ServerMetrics): http.RequestListener {
  const routes = unaryRoutes(server);
  const streams = streamRoutes(server);
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    void (async () => {
      try {
        if (path === '/health' && request.method === 'GET') {
          const { healthy, reason } = await server.health();
          response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ health: String(healthy), reason }));
          return;
        }
        if (path === '/version' && request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ etcdserver: etcdServerVersion, etcdcluster: etcdClusterVersion }));
          return;
        }
        if (path === '/metrics' && request.method === 'GET') {
          const { contentType, body } = await metrics.render();
          response.writeHead(200, { 'content-type': contentType });
          response.end(body);
          return;
        }
        const unaryRoute = routes.get(path);
        const streamRoute = streams.get(path);
        if ((unaryRoute || streamRoute) && request.method !== 'POST') {
          response.writeHead(405, { 'content-type': 'text/plain; charset=utf-8' });
          response.end('Method Not Allowed\n');
          return;
        }
        if ((unaryRoute || streamRoute) && gatewayRefusesCommonName(request, path, server.auth.isEnabled() && server.auth.usesCertificateIdentity())) {
          response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
          response.end(`${gatewayCommonNameRefusal}\n`);
          return;
        }
        if (unaryRoute) return await serveUnary(server, unaryRoute, request, response);
        if (streamRoute) return await streamRoute(request, response);
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('404 page not found\n');
      } catch (error) {
        if (!response.headersSent) writeGatewayError(response, error);
        else response.destroy();
      }
    })();
  };
}

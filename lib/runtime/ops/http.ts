/**
 * The operator's HTTP listener (`--metrics ADDR`), served with
 * `Deno.serve`: `GET /metrics` answers the Prometheus text format, `GET
 * /healthz` answers 200 while the service is bound and serving and 503
 * otherwise (while it drains, after SIGTERM, and, for an instance started
 * with `--connect`, while it has no connection to its broker). The broker's
 * (`keyservice broker --metrics`) is the same listener, its `/healthz` 503
 * while no instance is connected. Nothing else is served: no request
 * reaches the key service through it.
 *
 * @example
 * ```ts
 * import { startHttp } from "./http.ts";
 * import { startMetrics } from "./metrics.ts";
 *
 * const metrics = await startMetrics({
 *   version: "1.1.0",
 *   libzmq: "4.3.5",
 *   crypto: "node",
 *   inflight: () => 0,
 *   pool: () => ({ depth: 0, size: 0, generating: 0 }),
 * });
 * const http = startHttp("127.0.0.1:0", { metrics, serving: () => true });
 * console.log(http.address); // 127.0.0.1:43127
 * await http.close();
 * ```
 * @module
 */

import type { Metrics } from "./metrics.ts";

/** `--metrics` is not a listen address. */
export class ListenAddressError extends Error {
  readonly code = "invalid_listen_address";
  constructor(text: string) {
    super(
      `--metrics must be PORT or HOST:PORT (a port from 0 to 65535), got "${text}"`,
    );
  }
}

/** Where to listen. */
export interface ListenAddress {
  readonly hostname: string;
  readonly port: number;
}

/**
 * Reads `PORT` (on loopback, 127.0.0.1), `HOST:PORT` or `[IPv6]:PORT`.
 * Throws {@linkcode ListenAddressError}.
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):)?(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) throw new ListenAddressError(text);
  const host = match[1] ?? "127.0.0.1";
  return {
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port,
  };
}

/** What the listener serves. */
export interface HttpRoutes {
  /** The metrics a scrape gets. */
  readonly metrics: Pick<Metrics, "contentType" | "render">;
  /** Whether the service is bound and serving (not starting, not draining). */
  serving(): boolean;
  /**
   * Connected to a broker (`--connect`): whether that connection is up.
   * Left out for a service that binds.
   */
  brokerConnected?(): boolean;
  /**
   * Why `/healthz` is 503 though serving, in a word (the broker's
   * `no-instance`), or undefined when it is not.
   */
  unready?(): string | undefined;
}

/** A running listener. */
export interface HttpListener {
  /** The address bound, with the port a `:0` bind picked: `HOST:PORT`. */
  readonly address: string;
  /** Stops listening; resolves when the connections are closed. */
  close(): Promise<void>;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };

/** `/healthz`'s answer while serving: 200, or 503 with the reason why not. */
function unready(why: string | undefined): Response {
  return why === undefined
    ? new Response("ok\n", { headers: TEXT })
    : new Response(`${why}\n`, { status: 503, headers: TEXT });
}

/** Answers one request to the listener. */
async function answer(request: Request, routes: HttpRoutes): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", {
      status: 405,
      headers: { ...TEXT, allow: "GET, HEAD" },
    });
  }
  switch (new URL(request.url).pathname) {
    case "/metrics":
      try {
        return new Response(await routes.metrics.render(), {
          headers: { "content-type": routes.metrics.contentType },
        });
      } catch {
        return new Response("metrics failed\n", { status: 500, headers: TEXT });
      }
    case "/healthz":
      if (!routes.serving()) {
        return new Response("draining\n", { status: 503, headers: TEXT });
      }
      if (routes.brokerConnected?.() === false) {
        return new Response("no broker\n", { status: 503, headers: TEXT });
      }
      return unready(routes.unready?.());
    default:
      return new Response("not found\n", { status: 404, headers: TEXT });
  }
}

/**
 * Listens on `address` (see {@linkcode parseListenAddress}). Throws
 * `ListenAddressError`, or Deno's error when the address cannot be bound.
 */
export function startHttp(address: string, routes: HttpRoutes): HttpListener {
  const { hostname, port } = parseListenAddress(address);
  const server = Deno.serve({
    hostname,
    port,
    // Deno's own "Listening on" line would go to stdout; the start-up log
    // line says where metrics are instead.
    onListen() {},
    onError: () => new Response("error\n", { status: 500, headers: TEXT }),
  }, (request) => answer(request, routes));
  const bound = server.addr;
  return {
    address: bound.hostname.includes(":")
      ? `[${bound.hostname}]:${bound.port}`
      : `${bound.hostname}:${bound.port}`,
    close: () => server.shutdown(),
  };
}

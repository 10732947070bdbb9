// Private: the Lazy Pirate of the ZeroMQ guide (ch. 4), over one or more
// endpoints. Each attempt borrows a REQ socket for its endpoint; one that
// timed out is closed, never reused (a REQ socket that missed its reply is
// stuck), and the request goes again, to the next endpoint, until the retry
// budget is spent. `overloaded` is retried after a doubling backoff. Idle
// sockets are kept per endpoint, so that requests made at once each get
// their own and a later request does not reconnect; one idle for `idleMs`
// is closed. At most `maxInFlight` requests are out at once (each holds a
// socket, and a Deno thread while it waits): further ones queue, in order,
// until one ends. Sockets come from a connector (the real one keeps them all
// in one libzmq context, one I/O thread) and time from a clock, both given,
// so that the loop is tested with fake ones.

import {
  HandshakeFailed,
  type HandshakeFailure,
  NotConnected,
  ReplyTimeout,
  ReqClient,
  type ReqClientOptions,
  type ZmqContext,
} from "../zmq/client.ts";
import type { CurveClientKeys } from "../zmq/curve.ts";
import { ZmqError } from "../zmq/errors.ts";
import type { LoadedLibzmq } from "../zmq/libzmq.ts";
import { type Clock, sleep, systemClock } from "../clock/mod.ts";
import {
  Aborted,
  BadReply,
  HandshakeRefused,
  TimeoutError,
  UnreachableError,
} from "./errors.ts";
import type { CallOptions, RetryEvent, RetryReason } from "./types.ts";

/**
 * What an attempt needs of a REQ socket: one request, then its reply's
 * frames. It rejects with `ReplyTimeout` (sent, not answered in time),
 * `NotConnected` or `HandshakeFailed` (never sent) or a `ZmqError`.
 */
export interface ReqSocket {
  request(body: Uint8Array, timeoutMs: number): Promise<Uint8Array[]>;
  close(): void;
}

/** Opens a REQ socket connected to `endpoint`. */
export type ConnectReq = (endpoint: string) => ReqSocket;

/**
 * The real connector: libzmq REQ sockets in `context`, with CURVE when given
 * keys, taking reply frames up to `maxReplyBytes`.
 */
export function reqConnector(
  libzmq: LoadedLibzmq,
  curve: CurveClientKeys | undefined,
  context: ZmqContext,
  maxReplyBytes: number,
): ConnectReq {
  return (endpoint) => {
    const options: ReqClientOptions = {
      endpoint,
      immediate: true,
      context,
      maxReplyBytes,
      ...(curve === undefined ? {} : {
        curveServerKey: curve.serverKey,
        curvePublicKey: curve.publicKey,
        curveSecretKey: curve.secretKey,
      }),
    };
    return ReqClient.connect(libzmq, options);
  };
}

/** The settled options the transport runs with. */
export interface PirateOptions {
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly strategy: "spread" | "failover";
  readonly downMs: number;
  readonly onRetry: (event: RetryEvent) => void;
  readonly maxInFlight: number;
  readonly idleMs: number;
}

/** A socket at rest, and since when (on the clock). */
interface Idle {
  readonly socket: ReqSocket;
  readonly since: number;
}

/** What the Pirate takes from outside: sockets, time, and chance. */
export interface PirateParts {
  /** Opens sockets. */
  readonly connect: ConnectReq;
  /** Times the backoff and the endpoints' down time. Default: the real one. */
  readonly clock?: Clock;
  /** Jitters the backoff, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Called once the Pirate is closed (the real one ends the context). */
  readonly close?: () => void;
  /** Lets a timer not keep the process alive. Default `Deno.unrefTimer`. */
  readonly unref?: (timer: unknown) => void;
}

/** A reply, parsed: always a JSON object. */
export type ReplyObject = Record<string, unknown>;

const decoder = new TextDecoder();

function parse(frames: Uint8Array[]): ReplyObject {
  let value: unknown;
  try {
    if (frames.length !== 1) throw new Error();
    value = JSON.parse(decoder.decode(frames[0]));
  } catch {
    throw new BadReply("the reply is not one frame of JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BadReply("the reply is not a JSON object");
  }
  return value as ReplyObject;
}

/** `promise`, or `Aborted` as soon as `signal` fires. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // its outcome no longer matters
    return Promise.reject(new Aborted(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

/** Sends requests with retries and failover; see the file's header. */
export class Pirate {
  readonly #connect: ConnectReq;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #options: PirateOptions;
  readonly #parts: PirateParts;
  readonly #idle = new Map<string, Idle[]>();
  /** Requests out now, and those queued for a turn (their wake-ups). */
  #inFlight = 0;
  readonly #queued: (() => void)[] = [];
  #trimTimer: unknown;
  /** Until when (on the clock) an endpoint that failed is tried last. */
  readonly #downUntil = new Map<string, number>();
  #next = 0;
  #closed = false;

  constructor(parts: PirateParts, options: PirateOptions) {
    this.#connect = parts.connect;
    this.#clock = parts.clock ?? systemClock;
    this.#random = parts.random ?? Math.random;
    this.#parts = parts;
    this.#options = options;
  }

  /** Requests sent or being retried now (at most `maxInFlight`). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting for a turn. */
  get queued(): number {
    return this.#queued.length;
  }

  /**
   * Sends `body` until a reply comes or the budget is spent, once fewer than
   * `maxInFlight` requests are out.
   */
  async request(
    body: Uint8Array,
    call: CallOptions = {},
  ): Promise<ReplyObject> {
    if (this.#closed) throw new Error("the client is closed");
    if (call.signal?.aborted) throw new Aborted(call.signal.reason);
    if (this.#inFlight >= this.#options.maxInFlight) {
      let turn!: () => void;
      const waiting = new Promise<void>((resolve) => turn = resolve);
      this.#queued.push(turn);
      try {
        await abortable(waiting, call.signal);
      } catch (error) {
        // Its place goes to the next in line, not lost.
        const at = this.#queued.indexOf(turn);
        if (at !== -1) this.#queued.splice(at, 1);
        throw error;
      }
      if (this.#closed) throw new Error("the client is closed");
    }
    this.#inFlight++;
    try {
      return await this.#send(body, call);
    } finally {
      this.#inFlight--;
      this.#queued.shift()?.();
    }
  }

  async #send(body: Uint8Array, call: CallOptions): Promise<ReplyObject> {
    const { retries, backoffMs, onRetry } = this.#options;
    const timeoutMs = call.timeoutMs ?? this.#options.timeoutMs;
    const { signal } = call;
    const order = this.#order();
    let sent = 0;
    let overloaded = 0;
    /** The endpoints that refused the handshake, and the last reason. */
    const refused = new Set<string>();
    let refusal: HandshakeFailure = "handshake_failed";
    for (let attempt = 0;; attempt++) {
      if (this.#closed) throw new Error("the client is closed");
      const endpoint = order[attempt % order.length];
      let reason: RetryReason;
      const socket = this.#take(endpoint);
      try {
        const reply = parse(
          await abortable(socket.request(body, timeoutMs), signal),
        );
        this.#give(endpoint, socket);
        this.#downUntil.delete(endpoint);
        if (reply.code !== "overloaded" || attempt >= retries) return reply;
        reason = "overloaded";
      } catch (error) {
        // A REQ socket that missed its reply is stuck: never reused.
        socket.close();
        if (error instanceof Aborted) throw error;
        if (error instanceof ReplyTimeout) {
          sent++;
          reason = "timeout";
        } else if (error instanceof HandshakeFailed) {
          // Retried as an endpoint that cannot be reached: another one may
          // take this client.
          refused.add(endpoint);
          refusal = error.reason;
          reason = "unreachable";
        } else if (error instanceof NotConnected || error instanceof ZmqError) {
          reason = "unreachable";
        } else throw error;
        this.#downUntil.set(endpoint, this.#clock.now() + this.#options.downMs);
      }
      if (attempt >= retries) {
        if (sent > 0) throw new TimeoutError(sent, timeoutMs);
        if (refused.size > 0) throw new HandshakeRefused([...refused], refusal);
        throw new UnreachableError([...new Set(order)], attempt + 1, timeoutMs);
      }
      onRetry({ attempt: attempt + 1, endpoint, reason });
      if (reason === "overloaded") {
        // Jittered, so that clients told at once do not come back at once.
        const wait = backoffMs * 2 ** overloaded++;
        await abortable(
          sleep(this.#clock, wait / 2 + this.#random() * wait / 2),
          signal,
        );
      }
    }
  }

  /** The endpoints in the order this request tries them. */
  #order(): string[] {
    const { endpoints, strategy } = this.#options;
    const start = strategy === "spread" ? this.#next++ % endpoints.length : 0;
    const rotated = [...endpoints.slice(start), ...endpoints.slice(0, start)];
    const now = this.#clock.now();
    const down = (e: string) => (this.#downUntil.get(e) ?? 0) > now ? 1 : 0;
    return rotated.sort((a, b) => down(a) - down(b));
  }

  #take(endpoint: string): ReqSocket {
    return this.#idle.get(endpoint)?.pop()?.socket ?? this.#connect(endpoint);
  }

  #give(endpoint: string, socket: ReqSocket): void {
    if (this.#closed) return socket.close();
    const idle = this.#idle.get(endpoint) ?? [];
    idle.push({ socket, since: this.#clock.now() });
    this.#idle.set(endpoint, idle);
    this.#trimLater();
  }

  /** Closes, in a while, the sockets that stayed idle that long. */
  #trimLater(): void {
    if (this.#trimTimer !== undefined || this.#closed) return;
    const timer = this.#clock.setTimeout(() => {
      this.#trimTimer = undefined;
      const before = this.#clock.now() - this.#options.idleMs;
      let left = 0;
      for (const [endpoint, idle] of this.#idle) {
        // Oldest first: the stack's bottom is the longest at rest.
        const fresh = idle.findIndex((entry) => entry.since > before);
        const end = fresh === -1 ? idle.length : fresh;
        for (const entry of idle.splice(0, end)) entry.socket.close();
        if (idle.length === 0) this.#idle.delete(endpoint);
        left += idle.length;
      }
      if (left > 0) this.#trimLater();
    }, this.#options.idleMs);
    this.#trimTimer = timer;
    // An idle client does not keep the process alive.
    (this.#parts.unref ?? ((t) => Deno.unrefTimer(t as number)))(timer);
  }

  /**
   * Closes the idle sockets; those in use close when their request ends,
   * and queued requests reject. The context ends with the last socket.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearTimeout(this.#trimTimer);
    for (const idle of this.#idle.values()) {
      for (const entry of idle) entry.socket.close();
    }
    this.#idle.clear();
    for (const turn of this.#queued.splice(0)) turn();
    this.#parts.close?.();
  }
}

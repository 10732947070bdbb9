// Private: socket helpers shared by the server and the client.

import {
  EAGAIN,
  EINTR,
  lastError,
  type Libzmq,
  MSG_T_SIZE,
  POLLITEM_SIZE,
  ZMQ_CURVE_PUBLICKEY,
  ZMQ_CURVE_SECRETKEY,
  ZMQ_CURVE_SERVER,
  ZMQ_CURVE_SERVERKEY,
  ZMQ_DONTWAIT,
  ZMQ_LAST_ENDPOINT,
  ZMQ_POLLIN,
  ZMQ_SNDMORE,
} from "./_ffi.ts";
import { ZmqError } from "./errors.ts";

/** Sets an `int` socket option. */
export function setIntOption(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  option: number,
  value: number,
): void {
  const buffer = new Int32Array([value]);
  if (zmq.zmq_setsockopt(socket, option, buffer, 4n) !== 0) {
    throw new ZmqError("zmq_setsockopt", lastError(zmq));
  }
}

/** Sets an `int64_t` socket option. */
export function setInt64Option(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  option: number,
  value: number,
): void {
  const buffer = new BigInt64Array([BigInt(value)]);
  if (zmq.zmq_setsockopt(socket, option, buffer, 8n) !== 0) {
    throw new ZmqError("zmq_setsockopt", lastError(zmq));
  }
}

/** Sets a binary or string socket option. */
export function setBytesOption(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  option: number,
  value: Uint8Array,
): void {
  if (zmq.zmq_setsockopt(socket, option, value, BigInt(value.length)) !== 0) {
    throw new ZmqError("zmq_setsockopt", lastError(zmq));
  }
}

const encoder = new TextEncoder();

/** Makes `socket` the CURVE server side of its connections. */
export function setCurveServer(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  secretKey: string,
): void {
  setIntOption(zmq, socket, ZMQ_CURVE_SERVER, 1);
  setBytesOption(zmq, socket, ZMQ_CURVE_SECRETKEY, encoder.encode(secretKey));
}

/** CURVE keys of a client socket, Z85. */
export interface CurveClientKeys {
  /** The server's public key. */
  readonly serverKey: string;
  /** This client's public key. */
  readonly publicKey: string;
  /** This client's secret key. */
  readonly secretKey: string;
}

/** Makes `socket` a CURVE client of the server whose key `keys` names. */
export function setCurveClient(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  keys: CurveClientKeys,
): void {
  setBytesOption(
    zmq,
    socket,
    ZMQ_CURVE_SERVERKEY,
    encoder.encode(keys.serverKey),
  );
  setBytesOption(
    zmq,
    socket,
    ZMQ_CURVE_PUBLICKEY,
    encoder.encode(keys.publicKey),
  );
  setBytesOption(
    zmq,
    socket,
    ZMQ_CURVE_SECRETKEY,
    encoder.encode(keys.secretKey),
  );
}

/** The endpoint a socket last bound, with the port a `:*` bind picked. */
export function lastEndpoint(zmq: Libzmq, socket: Deno.PointerValue): string {
  const buffer = new Uint8Array(1024);
  const size = new BigUint64Array([BigInt(buffer.length)]);
  if (zmq.zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, buffer, size) !== 0) {
    throw new ZmqError("zmq_getsockopt", lastError(zmq));
  }
  const end = buffer.indexOf(0);
  return new TextDecoder().decode(buffer.subarray(0, end === -1 ? 0 : end));
}

/** A reply waiting to be sent: the client's envelope and one body frame. */
export interface Outgoing {
  readonly envelope: readonly Uint8Array[];
  readonly body: Uint8Array;
}

/** Reads whole multipart messages without blocking, through `zmq_msg_t`. */
export class MessageReader {
  readonly #zmq: Libzmq;
  readonly #msg = new Uint8Array(MSG_T_SIZE);
  /** Whether the last message read had more frames than were kept. */
  truncated = false;
  /**
   * The ZAP user id of the last message read (the client's CURVE public
   * key, Z85), when `readUserId` is set and the handshake gave one.
   */
  userId: string | undefined;
  /** Read each message's user id into {@linkcode MessageReader.userId}. */
  readonly readUserId: boolean;

  constructor(zmq: Libzmq, readUserId = false) {
    this.#zmq = zmq;
    this.readUserId = readUserId;
  }

  /**
   * One whole message, or null when none is waiting. Keeps its first
   * `maxFrames` frames; any further ones are read and dropped, and
   * {@linkcode MessageReader.truncated} says so. With `wait`, waits for it
   * on this thread, as long as the socket's `ZMQ_RCVTIMEO` says.
   */
  read(
    socket: Deno.PointerValue,
    maxFrames: number,
    wait = false,
  ): Uint8Array[] | null {
    this.truncated = false;
    const zmq = this.#zmq;
    const msg = this.#msg;
    const frames: Uint8Array[] = [];
    for (let more = true, first = true; more; first = false) {
      zmq.zmq_msg_init(msg);
      // Only the first frame is waited for: the rest come with it.
      const flags = wait && first ? 0 : ZMQ_DONTWAIT;
      let size = zmq.zmq_msg_recv(msg, socket, flags);
      // A signal that lands during the call interrupts it; nothing was read.
      while (size < 0 && zmq.zmq_errno() === EINTR) {
        size = zmq.zmq_msg_recv(msg, socket, flags);
      }
      if (size < 0) {
        const error = lastError(zmq);
        zmq.zmq_msg_close(msg);
        // The frames of one message arrive together; EAGAIN can only come
        // before the first.
        if (first && error.errno === EAGAIN) return null;
        throw new ZmqError("zmq_msg_recv", error);
      }
      if (first && this.readUserId) this.userId = userIdOf(zmq, msg);
      if (frames.length >= maxFrames) this.truncated = true;
      else {
        const data = zmq.zmq_msg_data(msg);
        frames.push(
          size === 0 || data === null
            ? new Uint8Array(0)
            : new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, size))
              .slice(),
        );
      }
      more = zmq.zmq_msg_more(msg) === 1;
      zmq.zmq_msg_close(msg);
    }
    return frames;
  }
}

const USER_ID = new TextEncoder().encode("User-Id\0");

/** A received message's ZAP user id, or undefined. */
function userIdOf(zmq: Libzmq, msg: Uint8Array): string | undefined {
  const pointer = zmq.zmq_msg_gets(msg, USER_ID);
  if (pointer === null) return undefined;
  const text = Deno.UnsafePointerView.getCString(pointer);
  return text === "" ? undefined : text;
}

/**
 * Sends `frames` as one message without blocking; true when all of it was
 * queued. A failure on the first frame queues nothing. A failure after it
 * (libzmq accepts a message whole or not at all at its first frame, so this
 * is not expected) ends the message with an empty frame, so that what was
 * queued can never become the head of the next message sent on the socket.
 * `EINTR` is retried.
 */
export function sendMessage(
  zmq: Libzmq,
  socket: Deno.PointerValue,
  frames: readonly Uint8Array[],
): boolean {
  const send = (frame: Uint8Array, flags: number): boolean => {
    while (true) {
      const rc = zmq.zmq_send(socket, frame, BigInt(frame.length), flags);
      if (rc >= 0) return true;
      if (zmq.zmq_errno() !== EINTR) return false;
    }
  };
  for (let i = 0; i < frames.length; i++) {
    const last = i === frames.length - 1;
    if (send(frames[i], last ? ZMQ_DONTWAIT : ZMQ_SNDMORE | ZMQ_DONTWAIT)) {
      continue;
    }
    if (i > 0) send(new Uint8Array(0), ZMQ_DONTWAIT);
    return false;
  }
  return true;
}

/** `zmq_pollitem_t`s that watch each of `sockets` for input, in order. */
export function pollItems(sockets: readonly Deno.PointerValue[]): Uint8Array {
  const items = new Uint8Array(sockets.length * POLLITEM_SIZE);
  const view = new DataView(items.buffer);
  sockets.forEach((socket, i) => {
    view.setBigUint64(
      i * POLLITEM_SIZE,
      BigInt(Deno.UnsafePointer.value(socket)),
      true,
    );
    view.setInt16(i * POLLITEM_SIZE + 12, ZMQ_POLLIN, true);
  });
  return items;
}

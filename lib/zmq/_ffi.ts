// Private: libzmq's C API as Deno FFI symbols, and the constants this
// project uses. Only lib/zmq/ imports this file.

/** The libzmq functions the transport calls. */
export const SYMBOLS = {
  zmq_version: { parameters: ["buffer", "buffer", "buffer"], result: "void" },
  zmq_errno: { parameters: [], result: "i32" },
  zmq_strerror: { parameters: ["i32"], result: "pointer" },
  zmq_has: { parameters: ["buffer"], result: "i32" },
  zmq_ctx_new: { parameters: [], result: "pointer" },
  zmq_ctx_term: { parameters: ["pointer"], result: "i32" },
  zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
  zmq_close: { parameters: ["pointer"], result: "i32" },
  zmq_setsockopt: {
    parameters: ["pointer", "i32", "buffer", "usize"],
    result: "i32",
  },
  zmq_getsockopt: {
    parameters: ["pointer", "i32", "buffer", "buffer"],
    result: "i32",
  },
  zmq_bind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_disconnect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_send: {
    parameters: ["pointer", "buffer", "usize", "i32"],
    result: "i32",
  },
  zmq_msg_init: { parameters: ["buffer"], result: "i32" },
  zmq_msg_recv: { parameters: ["buffer", "pointer", "i32"], result: "i32" },
  zmq_msg_data: { parameters: ["buffer"], result: "pointer" },
  zmq_msg_more: { parameters: ["buffer"], result: "i32" },
  // A message's metadata: "User-Id" is what the ZAP handler answered.
  zmq_msg_gets: { parameters: ["buffer", "buffer"], result: "pointer" },
  zmq_msg_close: { parameters: ["buffer"], result: "i32" },
  // Runs on a Deno background thread and returns a promise; while it is in
  // flight the main thread must not touch the sockets it polls.
  zmq_poll: {
    parameters: ["buffer", "i32", "i64"],
    result: "i32",
    nonblocking: true,
  },
  // The same call on the calling thread: blocks it (one-client tools only).
  zmq_poll_blocking: {
    name: "zmq_poll",
    parameters: ["buffer", "i32", "i64"],
    result: "i32",
  },
  // The broker: libzmq's own proxy between two sockets until the control
  // socket says TERMINATE. It never returns before that, so it runs on a
  // Deno background thread; the main thread keeps away from the three
  // sockets it is given until the promise settles.
  zmq_proxy_steerable: {
    parameters: ["pointer", "pointer", "pointer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  zmq_z85_encode: {
    parameters: ["buffer", "buffer", "usize"],
    result: "pointer",
  },
  zmq_z85_decode: { parameters: ["buffer", "buffer"], result: "pointer" },
  zmq_socket_monitor: {
    parameters: ["pointer", "buffer", "i32"],
    result: "i32",
  },
  zmq_curve_keypair: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_curve_public: { parameters: ["buffer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library. */
export type Libzmq = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

// Socket types.
export const ZMQ_PAIR = 0;
export const ZMQ_REQ = 3;
export const ZMQ_DEALER = 5;
export const ZMQ_ROUTER = 6;
export const ZMQ_PULL = 7;
export const ZMQ_PUSH = 8;
export const ZMQ_REP = 4;

// Socket options.
export const ZMQ_ROUTING_ID = 5;
export const ZMQ_LINGER = 17;
export const ZMQ_MAXMSGSIZE = 22;
export const ZMQ_SNDHWM = 23;
export const ZMQ_RCVHWM = 24;
export const ZMQ_SNDTIMEO = 28;
export const ZMQ_LAST_ENDPOINT = 32;
export const ZMQ_ROUTER_MANDATORY = 33;
export const ZMQ_CURVE_SERVER = 47;
export const ZMQ_CURVE_PUBLICKEY = 48;
export const ZMQ_CURVE_SECRETKEY = 49;
export const ZMQ_CURVE_SERVERKEY = 50;
export const ZMQ_IMMEDIATE = 39;
export const ZMQ_RCVTIMEO = 27;
export const ZMQ_ZAP_DOMAIN = 55;
export const ZMQ_HEARTBEAT_IVL = 75;
export const ZMQ_HEARTBEAT_TIMEOUT = 77;

// Monitor events: a connection lost or made, handshakes that failed.
export const ZMQ_EVENT_ACCEPTED = 0x0020;
export const ZMQ_EVENT_DISCONNECTED = 0x0200;
export const ZMQ_EVENT_HANDSHAKE_SUCCEEDED = 0x1000;
export const ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL = 0x0800;
export const ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000;
export const ZMQ_EVENT_HANDSHAKE_FAILED_AUTH = 0x4000;

// Flags and events.
export const ZMQ_DONTWAIT = 1;
export const ZMQ_SNDMORE = 2;
export const ZMQ_POLLIN = 1;
export const ZMQ_POLLOUT = 2;

// errno for "try again" (Linux; macOS differs).
export const EAGAIN = Deno.build.os === "darwin" ? 35 : 11;
/** errno for "interrupted by a signal" (the same on Linux and macOS). */
export const EINTR = 4;

/** Size of `zmq_msg_t` (64 bytes, 8-aligned, in every libzmq 4.x). */
export const MSG_T_SIZE = 64;
/** Size of `zmq_pollitem_t` on 64-bit platforms. */
export const POLLITEM_SIZE = 16;

const encoder = new TextEncoder();

/** A NUL-terminated C string. */
export function cstring(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(text).length + 1);
  encoder.encodeInto(text, bytes);
  return bytes;
}

/** The text of libzmq's last error on this thread. */
export function lastError(lib: Libzmq): { errno: number; message: string } {
  const errno = lib.zmq_errno();
  const pointer = lib.zmq_strerror(errno);
  const message = pointer === null
    ? `errno ${errno}`
    : new Deno.UnsafePointerView(pointer).getCString();
  return { errno, message };
}

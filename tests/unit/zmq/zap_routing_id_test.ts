// What libzmq's ZAP request says about a connecting client, measured: the
// routing id frame is the server socket's own ZMQ_ROUTING_ID, not the one the
// client chose. So a client-chosen id (one beginning with 0x00, libzmq's own
// range, say) cannot be refused at the handshake by a ZAP handler; SECURITY.md
// ("Routing ids a client chooses") says what bounds the collision instead.
// With CURVE off, a ZAP domain makes libzmq ask ZAP too (the NULL mechanism).

import assert from "node:assert/strict";
import {
  cstring,
  ZMQ_DEALER,
  ZMQ_LINGER,
  ZMQ_REP,
  ZMQ_ROUTER,
} from "../../../lib/zmq/_ffi.ts";
import {
  lastEndpoint,
  MessageReader,
  sendMessage,
  setBytesOption,
  setIntOption,
} from "../../../lib/zmq/_socket.ts";
import { testLibzmq } from "../../_helpers/service.ts";
import { waitFor } from "../../_helpers/wait.ts";

const ZMQ_ROUTING_ID = 5;
const ZMQ_ZAP_DOMAIN = 55;
const text = new TextEncoder();

Deno.test("libzmq's ZAP request names the server's own routing id, never the client's chosen one", async () => {
  const zmq = testLibzmq().symbols;
  const server = zmq.zmq_ctx_new();
  const client = zmq.zmq_ctx_new();
  const sockets: Deno.PointerValue[] = [];
  const open = (context: Deno.PointerValue, type: number) => {
    const socket = zmq.zmq_socket(context, type);
    setIntOption(zmq, socket, ZMQ_LINGER, 0);
    sockets.push(socket);
    return socket;
  };
  try {
    const zap = open(server, ZMQ_REP);
    assert.equal(zmq.zmq_bind(zap, cstring("inproc://zeromq.zap.01")), 0);
    const router = open(server, ZMQ_ROUTER);
    setBytesOption(zmq, router, ZMQ_ZAP_DOMAIN, text.encode("keyservice"));
    setBytesOption(zmq, router, ZMQ_ROUTING_ID, text.encode("server-own"));
    assert.equal(zmq.zmq_bind(router, cstring("tcp://127.0.0.1:*")), 0);
    const chosen = Uint8Array.of(0, 0x61, 0x62, 0x63, 0x64);
    const dealer = open(client, ZMQ_DEALER);
    setBytesOption(zmq, dealer, ZMQ_ROUTING_ID, chosen);
    assert.equal(
      zmq.zmq_connect(dealer, cstring(lastEndpoint(zmq, router))),
      0,
    );
    const reader = new MessageReader(zmq);
    const request = await waitFor(() => reader.read(zap, 10), {
      what: "a ZAP request",
    });
    // version, request id, domain, address, routing id, mechanism
    assert.equal(new TextDecoder().decode(request[5]), "NULL");
    assert.deepEqual(request[4], text.encode("server-own"));
    assert.ok(!request.some((frame) => frame.toHex() === chosen.toHex()));
    const [version, id] = request;
    sendMessage(zmq, zap, [
      version,
      id,
      text.encode("200"),
      text.encode("OK"),
      new Uint8Array(),
      new Uint8Array(),
    ]);
    // Admitted, the client's messages come under the id it chose.
    zmq.zmq_send(dealer, text.encode("hi"), 2n, 0);
    const message = await waitFor(() => reader.read(router, 4), {
      what: "the client's message",
    });
    assert.deepEqual(message[0], chosen);
  } finally {
    for (const socket of sockets) zmq.zmq_close(socket);
    zmq.zmq_ctx_term(client);
    zmq.zmq_ctx_term(server);
  }
});

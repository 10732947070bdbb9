// The request-thread side of scripts/threads_probe.ts: echoes what it gets.

const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = ({ data }) => {
  if (data.mode === "post") {
    scope.onmessage = ({ data }) => {
      scope.postMessage(data, [data.body.buffer]);
    };
    return;
  }
  const zmq = Deno.dlopen(
    data.path,
    {
      zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
      zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
      zmq_send: {
        parameters: ["pointer", "buffer", "usize", "i32"],
        result: "i32",
      },
      zmq_recv: {
        parameters: ["pointer", "buffer", "usize", "i32"],
        result: "i32",
      },
      zmq_poll: {
        parameters: ["buffer", "i32", "i64"],
        result: "i32",
        nonblocking: true,
      },
    } as const,
  ).symbols;
  const ctx = Deno.UnsafePointer.create(data.context);
  const dealer = zmq.zmq_socket(ctx, 5)!;
  zmq.zmq_connect(dealer, new TextEncoder().encode(data.address + "\0"));
  const hello = new Uint8Array([1]);
  zmq.zmq_send(dealer, hello, 1n, 0);
  scope.postMessage("ready");
  const buf = new Uint8Array(1024);
  if (data.mode === "zmq") {
    while (true) {
      const n = zmq.zmq_recv(dealer, buf, 1024n, 0);
      zmq.zmq_send(dealer, buf, BigInt(n), 0);
    }
  }
  const items = new Uint8Array(16);
  const view = new DataView(items.buffer);
  view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(dealer)), true);
  view.setInt16(12, 1, true);
  (async () => {
    while (true) {
      await zmq.zmq_poll(items, 1, -1n);
      let n;
      while ((n = zmq.zmq_recv(dealer, buf, 1024n, 1)) >= 0) {
        zmq.zmq_send(dealer, buf, BigInt(n), 0);
      }
    }
  })();
};

import { parseBlock, readSse, SseMessage } from './sse.reader';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

describe('readSse', () => {
  it('reads messages split across chunks and skips heartbeats', async () => {
    const got: SseMessage[] = [];
    await readSse(streamOf(['id: 1\nevent: payment.app', 'roved\ndata: {"a":1}\n\n: ping\n\n', 'id: 2\ndata: x\ndata: y\n\n']), (m) =>
      got.push(m),
    );
    expect(got).toEqual([
      { id: '1', event: 'payment.approved', data: '{"a":1}' },
      { id: '2', event: undefined, data: 'x\ny' },
    ]);
  });

  it('ignores a block without data', () => {
    expect(parseBlock('id: 3\nevent: x')).toBeNull();
  });
});

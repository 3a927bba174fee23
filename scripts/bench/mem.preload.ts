// Loaded with `--require` into every process the benchmark starts: answers a memory question from
// the parent over the IPC channel (after a full GC when asked and `--expose-gc` is on), and keeps
// the channel from holding the process open.
interface MemoryQuestion {
  type: 'bench:mem';
  id: number;
  gc: boolean;
}

const send = process.send?.bind(process);
if (send) {
  process.on('message', (m: MemoryQuestion) => {
    if (!m || m.type !== 'bench:mem') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (m.gc && gc) gc();
    const u = process.memoryUsage();
    send({ type: 'bench:mem', id: m.id, rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external });
  });
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}

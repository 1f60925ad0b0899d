// The machine's ceiling for an HTTP answer from Node.js (bench/servers.ts): Fastify answering a constant JSON object,
// in one process or, with HELLO_PROCESSES=N, in N node:cluster workers sharing one port (as `serve --processes N`).
import Fastify from 'fastify';
import cluster from 'node:cluster';

const processes = Number(process.env.HELLO_PROCESSES || 1);
if (processes > 1 && cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on('message', (_w, m) => {
    if (++ready === processes) process.stderr.write(`listening on (127.0.0.1:${m.port})\n`);
  });
  process.on('SIGTERM', () => {
    cluster.on('exit', () => Object.keys(cluster.workers).length || process.exit(0));
    for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
  });
} else {
  const f = Fastify({ logger: false });
  f.get('/', async () => ({ hello: 'world' }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  const { port } = f.server.address();
  if (process.send) process.send({ port });
  else process.stderr.write(`listening on (127.0.0.1:${port})\n`);
  process.on('SIGTERM', () => f.close().then(() => process.exit(0)));
}

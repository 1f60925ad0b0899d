// Entry of the audit's worker thread: loads openings-worker.ts, registering the TypeScript loader first when this
// thread does not have it (the installed command registers it in the main thread only; `node --import tsx` passes
// it on to workers). The retry asks for another URL: the loader remembers the failed one.
try {
  await import('./openings-worker.ts');
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./openings-worker.ts?loader=tsx');
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '@bff/demo-api';
import { startIdp, type RunningIdp } from '@bff/dev-idp';
import { Browser, freePort } from '@bff/fastify-bff/testing';
import { send } from './support/http.js';

const MiB = 1024 * 1024;

/** The BFF process's RSS, and what is live in it after a full collection (bffProcess.ts). */
function memoryOf(child: ChildProcess): Promise<{ rss: number; live: number }> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as { rss: number; live: number }));
    child.send('memory');
  });
}

/** `chunks` x 64 KiB of a repeating pattern, generated as it is read: the sender never holds the body. */
function upload(chunks: number): { stream: () => Readable; sha256: string; bytes: number } {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = i % 251;
  const hash = createHash('sha256');
  for (let i = 0; i < chunks; i += 1) hash.update(chunk);
  return {
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < chunks; i += 1) yield chunk;
        })(),
      ),
    sha256: hash.digest('hex'),
    bytes: chunks * chunk.length,
  };
}

/** `chunks` x 64 KiB, one chunk a millisecond or so: an upload that lasts long enough to be looked at while it runs. */
function paced(chunks: number): Readable {
  const chunk = upload(1);
  return Readable.from(
    (async function* () {
      const bytes = await chunk.stream().toArray();
      for (let i = 0; i < chunks; i += 1) {
        yield bytes[0] as Buffer;
        await new Promise((r) => setTimeout(r, 1));
      }
    })(),
  );
}

describe('a 50 MB upload, through a BFF in a process of its own (configured from env) so that the RSS measured is its own', () => {
  let idp: RunningIdp;
  let api: RunningApi;
  let bffProcess: ChildProcess;
  let bffUrl: string;
  beforeAll(async () => {
    const [idpPort, bffPort] = [await freePort(), await freePort()];
    bffUrl = `http://127.0.0.1:${bffPort}`;
    idp = await startIdp({
      port: idpPort,
      host: '127.0.0.1',
      issuer: `http://127.0.0.1:${idpPort}`,
      profile: 'seed-002',
      bffPublicUrl: bffUrl,
      apiAudience: 'http://demo-api.test',
    });
    api = await startApi({ port: 0, host: '127.0.0.1', issuer: idp.issuer, audience: 'http://demo-api.test' });
    bffProcess = spawn(
      process.execPath,
      ['--expose-gc', '--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./support/bffProcess.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          PORT: String(bffPort),
          HOST: '127.0.0.1',
          BFF_PUBLIC_URL: bffUrl,
          OIDC_ISSUER: idp.issuer,
          OIDC_CLIENT_ID: idp.clientId,
          OIDC_CLIENT_SECRET: idp.clientSecret,
          API_UPSTREAM: api.url,
          PROXY_BODY_LIMIT: String(MiB),
          SESSION_STORE: 'memory',
        },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      bffProcess.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
      bffProcess.once('exit', (code) => reject(new Error(`the BFF process exited with ${code}`)));
    });
  });
  afterAll(async () => {
    if (bffProcess && bffProcess.exitCode === null) {
      bffProcess.kill('SIGTERM');
      await new Promise((resolve) => bffProcess.once('exit', resolve));
    }
    await api?.close();
    await idp?.close();
  });

  it('passes through in constant memory: nothing of it stays live in the BFF while it streams', async () => {
    const browser = new Browser();
    await browser.signIn(bffUrl);
    const warmUp = upload(32); // 2 MiB: the streaming path's code and buffers are in place before measuring
    expect((await send(browser, `${bffUrl}/api/echo/upload`, { method: 'POST', body: warmUp.stream() })).body.body.bytes).toBe(
      warmUp.bytes,
    );

    // what the BFF process holds while 50 MiB go through: RSS as sampled, and live memory (after a full GC), asked for
    // every 50 ms. RSS alone cannot tell retained bytes from garbage not yet collected: V8 lets the socket reads'
    // dead buffers pile up to its external-memory limit (tens of MiB) before it collects them
    const body = upload(800);
    const before = await memoryOf(bffProcess);
    const samples: Array<{ rss: number; live: number }> = [];
    let uploading = true;
    const sampling = (async () => {
      while (uploading) {
        samples.push(await memoryOf(bffProcess));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = Date.now();
    const response = await send(browser, `${bffUrl}/api/echo/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.bytes) },
      body: paced(800),
    }).finally(() => (uploading = false));
    await sampling;
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ bytes: body.bytes, sha256: body.sha256 });

    const mib = (bytes: number) => (bytes / MiB).toFixed(1);
    const peakRss = Math.max(...samples.map((m) => m.rss));
    const peakLive = Math.max(...samples.map((m) => m.live));
    console.log(
      `50 MiB upload in ${Date.now() - started} ms, ${samples.length} samples; BFF process: RSS ${mib(before.rss)} MiB before, peak ${mib(peakRss)} MiB ` +
        `(+${mib(peakRss - before.rss)}); live after GC ${mib(before.live)} MiB before, peak ${mib(peakLive)} MiB (+${mib(peakLive - before.live)})`,
    );
    expect(samples.length).toBeGreaterThanOrEqual(5);
    // buffered, the body alone would be 50 MiB live by the end of the upload
    expect(peakLive - before.live).toBeLessThan(16 * MiB);
  });
});

import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { bffError } from '../errors.js';

/**
 * A request body too large to keep for the one replay after a 401: it flows
 * to the API as it arrives, in constant memory, and can be sent only once.
 */
export class StreamedBody {
  /** What undici reads: the browser's bytes, starting with any already read. */
  readonly stream: PassThrough;
  /** The browser's Content-Length, passed on; absent for a chunked upload. */
  readonly declaredLength: string | undefined;
  readonly #source: IncomingMessage;

  constructor(source: IncomingMessage, alreadyRead: readonly Buffer[]) {
    this.#source = source;
    this.declaredLength = source.headers['content-length'];
    this.stream = new PassThrough();
    for (const chunk of alreadyRead) this.stream.write(chunk);
    // piped, not pipelined: undici destroying its side (an abort) must not destroy the browser's connection,
    // which still has to carry our answer
    source.pipe(this.stream);
    source.once('error', (err) => this.stream.destroy(err));
    source.once('close', () => {
      // a browser that went away mid-upload: the API must see an error, never a short body it would take as whole
      if (!source.complete) this.stream.destroy(bffError('BAD_REQUEST', 'The request body ended early.'));
    });
  }

  /** Stops forwarding and reads the rest of the browser's body into nothing, so that the answer reaches it and the connection stays usable. */
  discard(): void {
    this.#source.unpipe(this.stream);
    if (!this.stream.destroyed) this.stream.destroy();
    if (!this.#source.complete) this.#source.resume();
  }
}

/**
 * The proxy's one content-type parser: bytes, never interpreted. A body that
 * fits in `replayLimit` is read whole (a Buffer, resent by the replay after a
 * 401); a larger one, declared or found out while reading a chunked upload,
 * becomes a StreamedBody as soon as it crosses the limit.
 */
export function readBody(
  payload: IncomingMessage,
  replayLimit: number,
  done: (err: Error | null, body?: Buffer | StreamedBody) => void,
): void {
  const declared = payload.headers['content-length'];
  if (declared !== undefined && Number(declared) > replayLimit) return done(null, new StreamedBody(payload, []));
  const chunks: Buffer[] = [];
  let size = 0;
  const stop = () => {
    payload.off('data', onData).off('end', onEnd).off('error', onError);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    chunks.push(chunk);
    if (size <= replayLimit) return;
    stop();
    payload.pause();
    done(null, new StreamedBody(payload, chunks));
  };
  const onEnd = () => {
    stop();
    done(null, Buffer.concat(chunks, size));
  };
  const onError = (err: Error) => {
    stop();
    done(bffError('BAD_REQUEST', 'The request body could not be read.', err));
  };
  payload.on('data', onData).on('end', onEnd).on('error', onError);
}

export function isStreamed(body: unknown): body is StreamedBody {
  return body instanceof StreamedBody;
}

export type ProxyBody = Buffer | StreamedBody | undefined;

import type { Request } from 'express';

// Multipart forms carry their CSRF token as the FIRST field (`_csrf`), so it can be checked before
// anything else in the body is read: the start of the body is read here, parsed for that one
// field, and put back on the stream (Readable.unshift) for the upload parser that runs later.

/** The multipart boundary from a Content-Type header, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

/** undefined: need more bytes; null: the first part is not a `_csrf` field; else its value. */
export function firstCsrfField(body: Buffer, boundary: string): string | null | undefined {
  const opening = Buffer.from(`--${boundary}\r\n`);
  if (body.length < opening.length) return opening.subarray(0, body.length).equals(body) ? undefined : null;
  if (!body.subarray(0, opening.length).equals(opening)) return null;
  const headersEnd = body.indexOf('\r\n\r\n', opening.length);
  if (headersEnd < 0) return undefined;
  const headers = body.toString('latin1', opening.length, headersEnd);
  if (!/^content-disposition:\s*form-data;\s*name="_csrf"\s*$/im.test(headers) || /filename/i.test(headers)) return null;
  const valueEnd = body.indexOf(`\r\n--${boundary}`, headersEnd + 4);
  if (valueEnd < 0) return undefined;
  return body.toString('utf8', headersEnd + 4, valueEnd);
}

/** Reads at most maxBytes from the start of the body for the first `_csrf` field, then puts every
 *  byte read back, so the body parser later sees the request untouched. */
export function peekCsrfField(req: Request, boundary: string, maxBytes = 4096): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('error', onEnd);
      req.off('close', onEnd);
      if (chunks.length && !req.readableEnded && !req.destroyed) req.unshift(Buffer.concat(chunks));
      resolve(value);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (!done && (chunk = req.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
        const found = firstCsrfField(Buffer.concat(chunks), boundary);
        if (found !== undefined) return finish(found);
        if (size >= maxBytes) return finish(null);
      }
    };
    const onEnd = () => finish(firstCsrfField(Buffer.concat(chunks), boundary) ?? null);
    req.on('readable', onReadable);
    req.on('end', onEnd);
    req.on('error', onEnd);
    req.on('close', onEnd); // a client that hangs up before the first field: no 'end' comes
  });
}

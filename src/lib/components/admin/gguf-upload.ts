/**
 * Putting a GGUF file from the admin's disk onto the server: hash it in the browser
 * (the server addresses blobs by sha256 and checks it on arrival), skip the upload when
 * the server already has those bytes, else POST it with XMLHttpRequest — fetch cannot
 * report upload progress — and finally /api/create a model from the blob.
 */
import { startSha256 } from '$lib/util/sha256';
import { hasBlob } from '$lib/portal/admin';
import { ApiError, errorMessageOf } from '#protocol/client';
import { csrfHeaders } from '$lib/portal/client';

const CHUNK_BYTES = 8 * 1024 * 1024;

/** "sha256:<hex>" of a file, reading it in slices so a 40 GB model never sits in memory. */
export async function sha256OfFile(
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal
): Promise<string> {
  const hasher = await startSha256();
  for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
    signal?.throwIfAborted();
    const chunk = await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer();
    hasher.update(new Uint8Array(chunk));
    onProgress(Math.min(1, (offset + chunk.byteLength) / file.size));
  }
  onProgress(1);
  return `sha256:${hasher.hex()}`;
}

/** Uploads the bytes unless the server has them; resolves true when it sent them. */
export async function uploadBlob(
  file: Blob,
  digest: string,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal
): Promise<boolean> {
  if (await hasBlob(digest)) {
    onProgress(1);
    return false;
  }
  // fetch cannot report upload progress, so portalFetch's CSRF header is added by hand.
  const headers = csrfHeaders();
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/blobs/${encodeURIComponent(digest)}`);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else
        reject(
          new ApiError(xhr.status, errorMessageOf(xhr.status, xhr.statusText, xhr.responseText))
        );
    };
    xhr.onerror = () => reject(new Error('the upload failed: the connection was lost'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
  onProgress(1);
  return true;
}

/** A model name suggested from a file name: "Qwen2.5-7B-Instruct-Q4_K_M.gguf" → "qwen2.5-7b-instruct-q4_k_m". */
export function suggestModelName(fileName: string): string {
  return fileName
    .replace(/\.gguf$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
}

import type { ImageUploadResponse } from "./models";

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Sends the file straight to S3 with the presigned POST. XMLHttpRequest rather than fetch,
 * because only XHR reports upload progress. The file must be the last form field.
 */
export function uploadToPresignedPost(
  upload: ImageUploadResponse["upload"],
  file: Blob,
  onProgress?: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(upload.fields)) form.append(key, value);
    form.append("file", file);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.({ loaded: event.loaded, total: event.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(s3ErrorMessage(xhr.responseText, xhr.status)));
    };
    xhr.onerror = () => reject(new Error("The photo upload failed. Check your connection and try again."));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** S3 answers with XML; its <Message> is the useful part (e.g. "Your proposed upload exceeds the maximum allowed size"). */
function s3ErrorMessage(body: string, status: number): string {
  const match = /<Message>([^<]*)<\/Message>/.exec(body ?? "");
  const detail = match?.[1]?.trim();
  return detail ? `The photo upload was refused: ${detail}` : `The photo upload failed (HTTP ${status}).`;
}

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ImagePlus, Star, Trash2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { api } from "@/lib/api";
import { errorMessage, staleProduct } from "@/lib/api/errors";
import type { ImageContentType, Product } from "@/lib/api/models";
import { uploadToPresignedPost } from "@/lib/api/upload";
import { keys } from "@/lib/queries";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Progress } from "../ui/progress";
import { toast } from "../ui/toast";

const ACCEPTED: ImageContentType[] = ["image/jpeg", "image/png", "image/webp"];
/** Matches the API's default limit; the presign response carries the real one. */
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const MAX_PHOTOS = 8;

/** Checks a file before asking for an upload URL, so common mistakes get an instant answer. */
export function checkPhoto(file: File, maxBytes = DEFAULT_MAX_BYTES): string | null {
  if (!ACCEPTED.includes(file.type as ImageContentType)) return "Choose a JPEG, PNG or WebP image.";
  if (file.size === 0) return "That file is empty.";
  if (file.size > maxBytes) return `That photo is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is ${Math.floor(maxBytes / 1024 / 1024)} MB.`;
  return null;
}

type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; preview: string; percent: number; name: string }
  | { phase: "saving"; preview: string; name: string };

/**
 * Saves a new photo list computed from the product's current one. The save names the version it was
 * computed from (If-Match); if the product changed meanwhile (a sale, another tab) the list is
 * recomputed once from the current version the 412 carries: only photos are sent, so nothing else the
 * seller sees is overwritten.
 */
export async function savePhotos(product: Product, nextImages: (images: string[]) => string[]): Promise<Product> {
  try {
    return await api.updateProduct(product.id, { images: nextImages(product.images) }, product.etag);
  } catch (error) {
    const current = staleProduct(error);
    if (!current) throw error;
    return api.updateProduct(product.id, { images: nextImages(current.images) }, current.etag);
  }
}

/**
 * Photo upload in three steps: ask the API for a presigned S3 POST, send the file straight to S3
 * (with progress), then save the new image URL on the product.
 */
export function PhotoUploader({ product }: { product: Product }) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  function saved(updated: Product) {
    queryClient.setQueryData(keys.sellerProduct(updated.id), updated);
    queryClient.setQueryData(keys.product(updated.id), updated);
    queryClient.invalidateQueries({ queryKey: keys.allProducts });
  }

  /** The newest version this page knows of (another photo may have been saved meanwhile). */
  const latest = () => queryClient.getQueryData<Product>(keys.sellerProduct(product.id)) ?? product;

  const saveImages = useMutation({
    mutationFn: (nextImages: (images: string[]) => string[]) => savePhotos(latest(), nextImages),
    onMutate: () => setError(null),
    onSuccess: saved,
    onError: (err) => setError(errorMessage(err)),
  });

  async function upload(file: File) {
    setError(null);
    const problem = checkPhoto(file);
    if (problem) {
      setError(problem);
      return;
    }
    const preview = URL.createObjectURL(file);
    const controller = new AbortController();
    abortRef.current = controller;
    setState({ phase: "uploading", preview, percent: 0, name: file.name });
    try {
      const presign = await api.requestImageUpload(product.id, { content_type: file.type as ImageContentType, size: file.size });
      const limitProblem = checkPhoto(file, presign.max_bytes);
      if (limitProblem) throw new Error(limitProblem);
      await uploadToPresignedPost(
        presign.upload,
        file,
        ({ loaded, total }) => setState({ phase: "uploading", preview, percent: (loaded / total) * 100, name: file.name }),
        controller.signal,
      );
      setState({ phase: "saving", preview, name: file.name });
      const updated = await savePhotos(latest(), (images) => [...images, presign.image_url]);
      saved(updated);
      toast("Photo added", { description: file.name });
    } catch (err) {
      if (!(err instanceof DOMException && err.name === "AbortError")) setError(errorMessage(err));
    } finally {
      URL.revokeObjectURL(preview);
      setState({ phase: "idle" });
      if (inputRef.current) inputRef.current.value = "";
    }
  }

  const busy = state.phase !== "idle";
  const full = product.images.length >= MAX_PHOTOS;

  return (
    <div className="grid gap-4" data-testid="photo-uploader">
      {product.images.length === 0 && !busy && (
        <p className="text-sm text-muted-foreground">No photos yet. Products with a photo sell better — add one below.</p>
      )}
      <ul className="grid grid-cols-3 gap-3 sm:grid-cols-4" aria-label="Product photos">
        {product.images.map((src, index) => (
          <li key={src} className="group relative overflow-hidden rounded-md border" data-testid="product-photo">
            <img src={src} alt={`${product.name}, photo ${index + 1}`} className="aspect-square w-full object-cover" />
            {index === 0 && <span className="absolute left-1 top-1 rounded bg-white/90 px-1.5 text-xs font-medium">Main</span>}
            <div className="flex justify-end gap-1 border-t bg-white p-1">
              {index > 0 && (
                <Button
                  variant="ghost"
                  size="icon"
                  className="size-8"
                  aria-label={`Make photo ${index + 1} the main photo`}
                  disabled={saveImages.isPending || busy}
                  onClick={() => saveImages.mutate((images) => (images.includes(src) ? [src, ...images.filter((image) => image !== src)] : images))}
                >
                  <Star aria-hidden="true" />
                </Button>
              )}
              <Button
                variant="ghost"
                size="icon"
                className="size-8 text-destructive"
                aria-label={`Remove photo ${index + 1}`}
                disabled={saveImages.isPending || busy}
                onClick={() => saveImages.mutate((images) => images.filter((image) => image !== src))}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
          </li>
        ))}
        {busy && (
          <li className="relative overflow-hidden rounded-md border" aria-live="polite">
            <img src={state.preview} alt={`Preview of ${state.name}`} className="aspect-square w-full object-cover opacity-70" data-testid="upload-preview" />
            <div className="grid gap-1 border-t bg-white p-2">
              {state.phase === "uploading" ? (
                <>
                  <Progress value={state.percent} label={`Uploading ${state.name}`} />
                  <span className="text-xs text-muted-foreground">{Math.round(state.percent)}%</span>
                </>
              ) : (
                <span className="text-xs text-muted-foreground">Saving…</span>
              )}
            </div>
          </li>
        )}
      </ul>
      {error && (
        <Alert tone="error" title="Photo not added" data-testid="upload-error">
          {error}
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <input
          ref={inputRef}
          id="photo-input"
          type="file"
          accept={ACCEPTED.join(",")}
          className="hidden"
          aria-label="Choose a photo"
          data-testid="photo-input"
          disabled={busy || full}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void upload(file);
          }}
        />
        <Button type="button" variant="outline" disabled={busy || full} onClick={() => inputRef.current?.click()}>
          <ImagePlus aria-hidden="true" /> {busy ? "Uploading…" : "Add a photo"}
        </Button>
        {busy && (
          <Button type="button" variant="ghost" onClick={() => abortRef.current?.abort()}>
            Cancel upload
          </Button>
        )}
        <span className="text-xs text-muted-foreground">
          JPEG, PNG or WebP, up to 5 MB. {full ? `The limit is ${MAX_PHOTOS} photos.` : ""}
        </span>
      </div>
    </div>
  );
}

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ImagePlus, Star, Trash2, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { api } from "@/lib/api";
import { errorMessage, staleProduct } from "@/lib/api/errors";
import type { ImageContentType, Product } from "@/lib/api/models";
import { uploadToPresignedPost } from "@/lib/api/upload";
import { pendingPhotos } from "@/lib/pendingPhotos";
import { keys } from "@/lib/queries";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Progress } from "../ui/progress";
import { toast } from "../ui/toast";

const ACCEPTED: ImageContentType[] = ["image/jpeg", "image/png", "image/webp"];
/** Matches the API's default limit; the presign response carries the real one. */
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const MAX_PHOTOS = 8;
/** How long "Photo removed · Undo" stays: the removal is saved only once it has gone. */
export const UNDO_MS = 6000;

/** Checks a file before asking for an upload URL, so common mistakes get an instant answer. */
export function checkPhoto(file: File, maxBytes = DEFAULT_MAX_BYTES): string | null {
  if (!ACCEPTED.includes(file.type as ImageContentType)) return "Choose a JPEG, PNG or WebP image.";
  if (file.size === 0) return "That file is empty.";
  if (file.size > maxBytes) return `That photo is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is ${Math.floor(maxBytes / 1024 / 1024)} MB.`;
  return null;
}

interface QueuedPhoto {
  key: number;
  file: File;
  preview: string;
  phase: "waiting" | "uploading" | "saving" | "failed";
  percent: number;
  error?: string;
}

let nextKey = 1;
function queued(file: File): QueuedPhoto {
  return { key: nextKey++, file, preview: URL.createObjectURL(file), phase: "waiting", percent: 0 };
}

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
 * Photo uploads, one after the other, each in three steps: ask the API for a presigned S3 POST, send
 * the file straight to S3 (with progress), then attach its URL to the product (the API checks the
 * bytes are a real photo first). `initialFiles`: photos picked while the product was being created.
 * Removing a photo hides it at once and offers Undo; the removal is saved when the undo time is over
 * (or when the seller leaves the page), so Undo needs no second request.
 */
export function PhotoUploader({ product, initialFiles = [] }: { product: Product; initialFiles?: File[] }) {
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const [queue, setQueue] = useState<QueuedPhoto[]>(() => initialFiles.slice(0, MAX_PHOTOS).map(queued));
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const startedRef = useRef(new Set<number>()); // an effect run twice (StrictMode) starts an upload once
  const removalRef = useRef<{ src: string; timer: ReturnType<typeof setTimeout> } | null>(null);

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

  const update = (key: number, change: Partial<QueuedPhoto>) =>
    setQueue((items) => items.map((item) => (item.key === key ? { ...item, ...change } : item)));
  const drop = (key: number) =>
    setQueue((items) => {
      items.filter((item) => item.key === key).forEach((item) => URL.revokeObjectURL(item.preview));
      return items.filter((item) => item.key !== key);
    });

  useEffect(() => pendingPhotos.clear(product.id), [product.id]);

  // Saves a removal now: when its undo time is over, or before the page goes away.
  function commitRemoval() {
    const pending = removalRef.current;
    if (!pending) return;
    clearTimeout(pending.timer);
    removalRef.current = null;
    savePhotos(latest(), (images) => images.filter((image) => image !== pending.src))
      .then((updated) => {
        saved(updated);
        setRemoving((src) => (src === pending.src ? null : src));
      })
      .catch((err) => {
        setRemoving((src) => (src === pending.src ? null : src)); // the photo is still there: show it again
        setError(errorMessage(err));
      });
  }
  const commitRef = useRef(commitRemoval);
  useEffect(() => {
    commitRef.current = commitRemoval;
  });

  // Leaving the page saves a removal still waiting for its undo time; uploads under way carry on.
  useEffect(() => () => commitRef.current(), []);

  function remove(src: string) {
    commitRemoval(); // one undo at a time: an earlier removal is saved now
    setError(null);
    setRemoving(src);
    removalRef.current = { src, timer: setTimeout(() => commitRef.current(), UNDO_MS) };
  }

  function undo() {
    if (removalRef.current) clearTimeout(removalRef.current.timer);
    removalRef.current = null;
    setRemoving(null);
  }

  async function upload(item: QueuedPhoto) {
    const { file, key } = item;
    if (startedRef.current.has(key)) return;
    startedRef.current.add(key);
    const problem = checkPhoto(file);
    if (problem) {
      startedRef.current.delete(key);
      return update(key, { phase: "failed", error: problem });
    }
    const controller = new AbortController();
    abortRef.current = controller;
    update(key, { phase: "uploading", percent: 0, error: undefined });
    try {
      const presign = await api.requestImageUpload(product.id, { content_type: file.type as ImageContentType, size: file.size });
      const limitProblem = checkPhoto(file, presign.max_bytes);
      if (limitProblem) throw new Error(limitProblem);
      await uploadToPresignedPost(presign.upload, file, ({ loaded, total }) => update(key, { percent: (loaded / total) * 100 }), controller.signal);
      update(key, { phase: "saving", percent: 100 });
      saved(await savePhotos(latest(), (images) => [...images, presign.image_url]));
      drop(key);
      toast("Photo added", { description: file.name });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") {
        drop(key); // cancelled by the seller
      } else {
        startedRef.current.delete(key); // "Try again" starts it anew
        update(key, { phase: "failed", error: errorMessage(err) });
      }
    }
  }

  // The queue runs one photo at a time, in the order picked.
  const active = queue.some((item) => item.phase === "uploading" || item.phase === "saving");
  const next = active ? undefined : queue.find((item) => item.phase === "waiting");
  useEffect(() => {
    // Started after the effect (not inside it): the upload's first state change is not part of this render.
    if (next) void Promise.resolve(next).then(upload);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [next?.key]);

  function cancel() {
    abortRef.current?.abort();
  }

  function addFiles(files: File[]) {
    setError(null);
    const room = MAX_PHOTOS - product.images.length - queue.filter((item) => item.phase !== "failed").length;
    if (files.length > room) setError(`A product can have ${MAX_PHOTOS} photos; ${room > 0 ? `only the first ${room} were added` : "remove one to add another"}.`);
    setQueue((items) => [...items, ...files.slice(0, Math.max(room, 0)).map(queued)]);
  }

  const shown = product.images.filter((src) => src !== removing);
  const busy = queue.some((item) => item.phase !== "failed");
  const full = product.images.length + queue.filter((item) => item.phase !== "failed").length >= MAX_PHOTOS;

  return (
    <div className="grid gap-4" data-testid="photo-uploader">
      {shown.length === 0 && queue.length === 0 && (
        <p className="text-sm text-muted-foreground">No photos yet. Products with a photo sell better — add one below.</p>
      )}
      <ul className="grid grid-cols-3 gap-3 sm:grid-cols-4" aria-label="Product photos">
        {shown.map((src, index) => (
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
                  disabled={saveImages.isPending}
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
                disabled={saveImages.isPending}
                onClick={() => remove(src)}
                data-testid="remove-photo"
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
          </li>
        ))}
        {queue.map((item) => (
          <li key={item.key} className="relative overflow-hidden rounded-md border" data-testid="photo-upload" data-phase={item.phase}>
            <img src={item.preview} alt={`Preview of ${item.file.name}`} className="aspect-square w-full object-cover opacity-70" data-testid="upload-preview" />
            <div className="grid gap-1 border-t bg-white p-2" aria-live="polite">
              {item.phase === "uploading" && (
                <>
                  <Progress value={item.percent} label={`Uploading ${item.file.name}`} />
                  <span className="flex items-center justify-between text-xs text-muted-foreground">
                    {Math.round(item.percent)}%
                    <button type="button" className="underline" onClick={cancel}>
                      Cancel<span className="sr-only"> upload of {item.file.name}</span>
                    </button>
                  </span>
                </>
              )}
              {item.phase === "waiting" && <span className="text-xs text-muted-foreground">Waiting to upload…</span>}
              {item.phase === "saving" && <span className="text-xs text-muted-foreground">Checking and saving…</span>}
              {item.phase === "failed" && (
                <div role="alert" className="grid gap-1 text-xs text-destructive" data-testid="photo-upload-error">
                  <span>
                    <span className="font-medium">{item.file.name}</span> was not added: {item.error}
                  </span>
                  <span className="flex gap-2">
                    <button type="button" className="underline" onClick={() => update(item.key, { phase: "waiting", error: undefined })}>
                      Try again
                    </button>
                    <button type="button" className="underline" onClick={() => drop(item.key)}>
                      Dismiss
                    </button>
                  </span>
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
      {removing && (
        <div role="status" className="flex items-center gap-3 rounded-md border bg-slate-50 px-3 py-2 text-sm" data-testid="photo-removed">
          <span>Photo removed</span>
          <span aria-hidden="true">·</span>
          <Button type="button" size="sm" variant="outline" onClick={undo} data-testid="undo-remove-photo">
            Undo
          </Button>
        </div>
      )}
      {error && (
        <Alert tone="error" title="Photos not saved" data-testid="upload-error">
          {error}
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <input
          ref={inputRef}
          id="photo-input"
          type="file"
          multiple
          accept={ACCEPTED.join(",")}
          className="hidden"
          aria-label="Choose photos"
          data-testid="photo-input"
          disabled={full}
          onChange={(event) => {
            addFiles(Array.from(event.target.files ?? []));
            event.target.value = "";
          }}
        />
        <Button type="button" variant="outline" disabled={full} onClick={() => inputRef.current?.click()}>
          <ImagePlus aria-hidden="true" /> {busy ? "Add more photos" : "Add photos"}
        </Button>
        <span className="text-xs text-muted-foreground">
          JPEG, PNG or WebP, up to 5 MB each. {full ? `The limit is ${MAX_PHOTOS} photos.` : ""}
        </span>
      </div>
    </div>
  );
}

/**
 * Photos picked while the product is being created: checked and previewed now, uploaded as soon as the
 * product exists (the edit page it opens next runs the uploads, with progress).
 */
export interface PickedPhoto {
  file: File;
  preview: string;
}

export function PhotoPicker({ photos, onChange }: { photos: PickedPhoto[]; onChange: (photos: PickedPhoto[]) => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [problems, setProblems] = useState<string[]>([]);

  function pick(picked: File[]) {
    const refused: string[] = [];
    const accepted = picked.filter((file) => {
      const problem = checkPhoto(file);
      if (problem) refused.push(`${file.name}: ${problem}`);
      return !problem;
    });
    const room = MAX_PHOTOS - photos.length;
    if (accepted.length > room) refused.push(`A product can have ${MAX_PHOTOS} photos; ${accepted.length - room} were left out.`);
    setProblems(refused);
    const added = accepted.slice(0, Math.max(room, 0)).map((file) => ({ file, preview: URL.createObjectURL(file) }));
    onChange([...photos, ...added]);
  }

  function unpick(photo: PickedPhoto) {
    URL.revokeObjectURL(photo.preview);
    onChange(photos.filter((other) => other !== photo));
  }

  return (
    <div className="grid gap-3" data-testid="photo-picker">
      {photos.length > 0 && (
        <ul className="grid grid-cols-3 gap-3 sm:grid-cols-4" aria-label="Photos to upload">
          {photos.map((photo) => (
            <li key={photo.preview} className="relative overflow-hidden rounded-md border" data-testid="picked-photo">
              <img src={photo.preview} alt={`Preview of ${photo.file.name}`} className="aspect-square w-full object-cover" />
              <div className="flex items-center justify-between gap-1 border-t bg-white p-1 text-xs">
                <span className="truncate px-1">{photo.file.name}</span>
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  className="size-8"
                  aria-label={`Don't add ${photo.file.name}`}
                  onClick={() => unpick(photo)}
                >
                  <X aria-hidden="true" />
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {problems.length > 0 && (
        <Alert tone="error" title="Some photos were not added" data-testid="picker-error">
          <ul className="list-disc pl-4">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <input
          ref={inputRef}
          type="file"
          multiple
          accept={ACCEPTED.join(",")}
          className="hidden"
          aria-label="Choose photos"
          data-testid="photo-input"
          onChange={(event) => {
            pick(Array.from(event.target.files ?? []));
            event.target.value = "";
          }}
        />
        <Button type="button" variant="outline" disabled={photos.length >= MAX_PHOTOS} onClick={() => inputRef.current?.click()}>
          <ImagePlus aria-hidden="true" /> Add photos
        </Button>
        <span className="text-xs text-muted-foreground">Uploaded as soon as the product is created. JPEG, PNG or WebP, up to 5 MB each.</span>
      </div>
    </div>
  );
}

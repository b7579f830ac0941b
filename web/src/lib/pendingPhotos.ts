// Photos picked while creating a product wait here until it exists: the edit page it opens next
// uploads them (the upload URL names the product, so there is nothing to upload to before).
const waiting = new Map<string, File[]>();

export const pendingPhotos = {
  set(productId: string, files: File[]) {
    if (files.length) waiting.set(productId, files);
  },
  /** Reading is pure (renders may run twice); `clear` once the uploads are queued. */
  peek(productId: string): File[] {
    return waiting.get(productId) ?? [];
  },
  clear(productId: string) {
    waiting.delete(productId);
  },
};
